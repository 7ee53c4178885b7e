"""Feature-file checks: syntax errors, duplicate scenario names, undefined and ambiguous steps with
suggestions, typed values, closed sets and quotes — each one line, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.parser import Step

from signoff import lint, vocabulary

ROOT = Path(__file__).parents[2]
HEADER = "Feature: T\n  Scenario: S\n"
ZH_HEADER = "# language: zh-CN\n功能: 客户\n  场景: 一\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, steps: str, header: str = HEADER) -> list[str]:
    path = write(tmp_path, "t.feature", header + steps)
    return [f"{problem.line}: {problem.message}" for problem in lint.check_features([path])]


def test_the_shipped_features_have_no_problem() -> None:
    assert [str(p) for p in lint.check_features([ROOT / "features"])] == []


def test_undefined_step_names_file_line_and_nearest_phrasing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "typo.feature",
        "Feature: Typo\n  Scenario: One\n    Given I am signed in as the administrator\n"
        '    When I add a organisation "Acme"\n',
    )
    problems = lint.check_features([path])
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith(f"{path}:4: undefined step")
    assert 'When I add a organisation "Acme"' in text
    assert 'nearest existing phrasing: When I add an organisation "{name}"' in text


def test_undefined_chinese_step_suggests_chinese_phrasing(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    当 我新建公司"华东"\n', ZH_HEADER)
    assert problem.startswith("4: ")
    assert '当 我新增公司"{name}"' in problem


# ----------------------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    "step",
    [
        'Then I add an organisation "Acme"',
        'Given I add an organisation "Acme"',
        'When an organisation "Acme"',
        'When I add an organisation "Acme"\n    But the organisation "Acme" exists',
        "Then I sign in as the administrator",
    ],
)
def test_a_phrasing_is_found_after_any_keyword(tmp_path: Path, step: str) -> None:
    assert problems_of(tmp_path, f"    {step}\n") == []


def test_a_chinese_phrasing_is_found_after_any_keyword(tmp_path: Path) -> None:
    assert problems_of(tmp_path, '    那么 我新增公司"华东"\n    假如 公司"华东"存在\n', ZH_HEADER) == []


def test_the_same_words_after_a_keyword_declaring_neither_are_ambiguous(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "    When I am not signed in\n")
    assert problem.startswith('3: ambiguous step "When I am not signed in": it fits ')
    assert "Given I am not signed in | Then I am not signed in" in problem


def test_the_keyword_written_decides_between_two_meanings(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "    Given I am not signed in\n    Then I am not signed in\n") == []


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            'Given an opportunity "Big" for "Acme" with estimated sales of banana',
            '3: "banana" is not an amount (write it like 12,500 or 1,234.56)',
        ),
        (
            'When I create the task "Call" for the organisation "Acme" on next Tuesday-ish from 10:00 to 11:00',
            '3: "next Tuesday-ish" is not a date (write it like 2030-03-14)',
        ),
        (
            'When I create the task "Call" for the organisation "Acme" on 2030-03-14 from 10:00 to 24:30',
            '3: "24:30" is not a time (write it like 09:30, on the 24-hour clock)',
        ),
        (
            'Given a contact "Ada Lovelace" with the email address "ada-at-example"',
            '3: "ada-at-example" is not an email address (write it like li.lei@example.cn)',
        ),
        ("Then adding an organisation takes at most many actions", '3: "many" is not a whole number'),
        (
            "Given I am on the dashboard",
            '3: unknown screen "dashboard"; valid screens: home, home screen, home page, organisation list',
        ),
        ("When I open the invoices", '3: unknown module "invoices"; valid modules: contacts, contact list'),
        ('When I mark the organisation "Acme" as a partner', '3: unknown status "partner"; valid statuss: customer'),
        ('When I move the opportunity "Big" to "Closing"', '3: unknown phase "Closing"; valid phases: forthcoming'),
        ('Then the task "Call" is about the organisation "Acme"', ""),
        ('Then the gala "Call" is about the organisation "Acme"', '3: unknown activity kind "gala"; valid'),
        ('When I create a role "R" that may view and fly every record', '3: unknown action "fly"; valid actions: view'),
        ('When I try to open the configuration page "Billing"', '3: unknown configuration page "Billing"'),
        ("Then I am told the nickname is already taken", '3: unknown unique field "nickname"; valid unique fields:'),
    ],
)
def test_each_bad_value_is_one_line(tmp_path: Path, step: str, message: str) -> None:
    found = problems_of(tmp_path, f"    {step}\n")
    if not message:
        assert found == []
        return
    [problem] = found
    assert problem.startswith(message)


def test_a_chinese_bad_value_lists_the_chinese_words(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    当 我将公司"华东"标记为合作伙伴\n', ZH_HEADER)
    assert problem == '4: unknown status "合作伙伴"; valid statuss: 客户, 潜在客户, 可疑客户, 待确认线索'


def test_two_bad_values_are_two_lines(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, '    When I record estimated sales of lots and made sales of more for the opportunity "Big"\n'
    )
    assert found == [
        '3: "lots" is not an amount (write it like 12,500 or 1,234.56)',
        '3: "more" is not an amount (write it like 12,500 or 1,234.56)',
    ]


def test_a_slot_does_not_swallow_the_rest_of_the_line(tmp_path: Path) -> None:
    [problem] = problems_of(
        tmp_path, '    When I add an opportunity "Big" for "Acme" with estimated sales of 50, a probability of 10%\n'
    )
    assert "undefined step" in problem
    assert "nearest existing phrasing: When I add an opportunity" in problem


# ----------------------------------------------------------------------------- quotes and lists


@pytest.mark.parametrize(
    "step",
    ['When I add an organisation "Acme"', "When I add an organisation “Acme”", "When I add an organisation 「Acme」"],
)
def test_every_accepted_quote_style_is_fine(tmp_path: Path, step: str) -> None:
    assert problems_of(tmp_path, f"    {step}\n") == []


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('When I add an organisation “Acme"', '“Acme" is opened with “ and closed with "'),
        ("When I add an organisation ‘Acme’", "‘ is not a quote mark that opens a value"),
    ],
)
def test_mismatched_or_unknown_quotes_are_one_line(tmp_path: Path, step: str, message: str) -> None:
    [problem] = problems_of(tmp_path, f"    {step}\n")
    assert problem.startswith(f'3: the quote marks of "{step}": ')
    assert message in problem


def test_lists_of_any_length_are_fine(tmp_path: Path) -> None:
    steps = (
        '    Given a mailing list "Four" with the contacts "A B", "C D", "E F" and "G H"\n'
        '    Then the mailing list "Four" holds exactly "A B", "C D", "E F" and "G H"\n'
        '    And the team "north" has the members "a", "b" and "c"\n'
        '    And the contact list shows "A B"\n'
    )
    assert problems_of(tmp_path, steps) == []
    assert problems_of(tmp_path, '    那么 联系人列表显示"甲"、"乙"和"丙"\n', ZH_HEADER) == []


def test_a_count_is_checked(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "    Then exactly 3 emails are delivered\n") == []
    [problem] = problems_of(tmp_path, "    Then exactly three emails are delivered\n")
    assert problem.startswith('3: "three" is not a whole number')


# ----------------------------------------------------------------------------- suggestions


def test_up_to_three_suggestions_whatever_their_keyword(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    Then I add a organisation "Acme" twice\n')
    assert 'nearest existing phrasing: Then I add an organisation "{name}"' in problem
    assert "; also near: " in problem
    assert problem.count(" | ") <= 1


def test_when_nothing_is_near_it_says_so_and_lists_the_nearest_module(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    Then the contact "李雷" plays golf at "Sunny Club"\n')
    assert "nearest existing phrasing" not in problem
    assert 'mentions "plays", "golf"; its steps: ' in problem
    assert 'I delete the contact "{full_name}"' in problem
    assert problem.endswith("; every step: signoff steps")


def test_when_nothing_chinese_is_near_it_says_so_in_chinese(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    那么 联系人"李雷"爱打高尔夫\n', ZH_HEADER)
    assert 'mentions "爱打高尔夫"; its steps: ' in problem
    assert '不存在联系人"{full_name}"' in problem
    assert " I " not in problem.split("its steps: ")[1]


def test_a_chinese_file_without_its_language_line_is_told_so(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "", '功能: 客户\n  场景: 一\n    当 我新增公司"华东"\n')
    assert "malformed feature file" in problem
    assert problem.endswith('the file is written in Chinese: put "# language: zh-CN" on its first line')


def test_an_english_malformed_file_gets_no_language_hint(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "", "Feature: Bad\n  Scenario: One\n    Given x\n  Scenariox: Two\n")
    assert "language" not in problem


def _step(text: str) -> Step:
    return Step(name=text, type="then", indent=4, line_number=3, keyword="Then ")


@pytest.mark.parametrize(
    ("text", "near"),
    [
        ('I add a organisation "Acme"', True),  # a slip
        ("I sign in as the admin", True),  # a shortened word
        ("the organisation list shows 3 organisations", True),  # a plural
        ('the contact "X" has the phone "1"', False),  # another subject, alike wording
        ('I change the phone of the contact "X" to "1"', False),  # very alike, but "phone" is not "last name"
        ("I sort the organisation list by city", False),  # too different
        ('我新建公司"华东"', True),
        ('联系人"李雷"的手机是"123"', False),
    ],
)
def test_the_similarity_cut_off(text: str, near: bool) -> None:
    lint.load_step_definitions()
    language = vocabulary.language_of(text)
    [(score, best)] = lint.nearest_phrasings(text, language, 1)
    assert lint.is_near(text, best, score) is near, (score, best.text)


def test_the_cut_off_is_a_threshold_of_similarity() -> None:
    lint.load_step_definitions()
    [phrasing] = [p for p in vocabulary.phrasings() if p.text == 'I add an organisation "{name}"']
    assert lint.is_near('I add a organisation "Acme"', phrasing, lint.NEAR["en"])
    assert not lint.is_near('I add a organisation "Acme"', phrasing, lint.NEAR["en"] - 0.01)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('the organisation "X" is present', 'the organisation "{name}" exists'),
        ("I sign in as the admin", "I sign in as the administrator"),
    ],
)
def test_nearest_phrasings_are_in_the_suggestions(text: str, expected: str) -> None:
    lint.load_step_definitions()
    assert expected in [p.phrase.display for _score, p in lint.nearest_phrasings(text, "en")]
    assert lint.undefined_step_message(_step(text), "x.feature").count(f"Then {expected}") == 1


# ----------------------------------------------------------------------------- files


def test_malformed_feature_is_one_line_with_its_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.feature", "Feature: Bad\n  Scenario: One\n    Given x\n  Scenariox: Two\n")
    [problem] = lint.check_features([path])
    assert problem.line == 4
    assert problem.message.startswith("malformed feature file:")
    assert "\n" not in str(problem)


def test_duplicate_scenario_names_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.feature",
        "Feature: Dup\n  Scenario: Same\n    Given I am not signed in\n"
        "  Scenario: Same\n    Given I am not signed in\n",
    )
    [problem] = lint.check_features([path])
    assert problem.line == 4
    assert 'scenario name "Same" is used twice (first on line 2)' in problem.message


def test_outline_steps_are_checked_with_their_examples(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "outline.feature",
        'Feature: O\n  Scenario Outline: Names\n    When I add an organisation "<name>"\n'
        "    Examples:\n      | name |\n      | Acme |\n",
    )
    assert lint.check_features([path]) == []


def test_a_bad_background_step_is_reported_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bg.feature",
        "Feature: B\n  Background:\n    Given I am signed in as the admin\n"
        "  Scenario: One\n    Given I am not signed in\n  Scenario: Two\n    Given I am not signed in\n",
    )
    assert [problem.line for problem in lint.check_features([path])] == [3]


def test_signoff_check_exits_2_with_one_line_per_bad_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from signoff import cli

    monkeypatch.chdir(ROOT)
    path = write(
        tmp_path,
        "bad.feature",
        HEADER + '    Given an opportunity "Big" for "Acme" with estimated sales of banana\n'
        "    And I am on the dashboard\n",
    )
    assert cli.main(["check", str(path)]) == cli.EXIT_USAGE
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        f'signoff: {path}:3: "banana" is not an amount (write it like 12,500 or 1,234.56)',
        f'signoff: {path}:4: unknown screen "dashboard"; valid screens: '
        "home, home screen, home page, organisation list, list of organisations, contact list, list of contacts, "
        "new organisation form, organisation form, new contact form, contact form, opportunity list, activity list, "
        "calendar, trash",
    ]


# ----------------------------------------------------------------------------- fields by business name


def test_an_unknown_field_lists_the_fields_of_that_record_type(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    Then the contact "李雷" has the loyalty tier "gold"\n')
    assert problem.endswith(
        'a contact has no field "loyalty tier"; known fields: first name / 名, last name / 姓, full name / 姓名, '
        "job title / 职位, organisation / 公司, phone / 电话, mobile / 手机, fax / 传真, email / 邮箱, website / 网站, "
        "address / 地址, city / 城市, postcode / 邮编, country / 国家, description / 描述, birthday / 生日, owner / 负责人"
    )


def test_a_field_of_another_record_type_is_unknown_for_this_one(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    Then the organisation "Acme" has the estimated sales "12,500"\n')
    assert 'an organisation has no field "estimated sales"' in problem


def test_a_field_value_of_the_wrong_kind_is_reported(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '    When I change the email of the contact "李雷" to "li.lei at example"\n')
    assert problem.endswith('the email: "li.lei at example" is not an email address (write it like li.lei@example.cn)')


def test_chinese_field_names_and_aliases_are_known(tmp_path: Path) -> None:
    body = (
        '    那么 联系人"李雷"的手机是"13800000000"\n'
        '    而且 联系人"李雷"的电子邮箱是"li.lei@example.cn"\n'
        '    而且 公司"华东物流"的邮政编码为"200000"\n'
    )
    assert problems_of(tmp_path, body, ZH_HEADER) == []


def test_a_data_table_header_is_checked_by_field_name(tmp_path: Path) -> None:
    body = (
        "    When I add a contact with:\n"
        "      | first name | last name | e-mail            | shoe size |\n"
        "      | Lei        | Li        | li.lei@example.cn | 42        |\n"
    )
    [problem] = problems_of(tmp_path, body)
    assert 'a contact has no field "shoe size"; known fields: first name / 名' in problem


def test_a_data_table_value_is_checked_by_its_field(tmp_path: Path) -> None:
    body = (
        "    When I add these contacts:\n"
        "      | 姓 | 名 | 邮箱              |\n"
        "      | 李 | 雷 | li.lei@example.cn |\n"
        "      | 韩 | 梅梅 | han.meimei      |\n"
    )
    [problem] = problems_of(tmp_path, body)
    assert problem.endswith('the email: "han.meimei" is not an email address (write it like li.lei@example.cn) (row 3)')


def test_a_table_step_without_its_table_is_reported(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "    When I add an organisation with:\n")
    assert problem.endswith("this step needs a data table under it")


def test_a_good_table_and_a_field_value_table_pass(tmp_path: Path) -> None:
    body = (
        "    When I add an organisation with:\n"
        "      | name | website                  | city     |\n"
        "      | Acme | https://acme.example.com | Shenzhen |\n"
        '    Then the organisation "Acme" shows:\n'
        "      | field   | value                    |\n"
        "      | website | https://acme.example.com |\n"
        "      | 城市    | Shenzhen                 |\n"
        "    And the organisation list shows 1 organisations\n"
    )
    assert problems_of(tmp_path, body) == []


def test_a_count_of_other_records_is_reported(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "    Then the contact list shows 2 organisations\n")
    assert problem.endswith("the contact list shows contacts, not organisations")
