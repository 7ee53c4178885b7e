"""The step catalogue: every step function in English and Chinese, with its meaning, parameters,
examples from real features and function points; docs/steps.md is what the command writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff import cli, step_catalogue
from signoff.vocabulary import phrasings

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs" / "steps.md"


@pytest.fixture(scope="module")
def entries() -> list[step_catalogue.Entry]:
    return step_catalogue.build([ROOT / "features"], ROOT)


def test_docs_steps_md_is_up_to_date(entries: list[step_catalogue.Entry]) -> None:
    assert DOCS.read_text(encoding="utf-8") == step_catalogue.render_markdown(entries), (
        f"docs/steps.md is out of date: run {step_catalogue.MARKDOWN_COMMAND}"
    )


def test_every_step_function_appears_in_both_languages(entries: list[step_catalogue.Entry]) -> None:
    functions = {p.function for p in phrasings() if p.function.__module__.startswith("steps.")}
    assert {entry.function for entry in entries} == functions
    text = step_catalogue.render_text(entries)
    markdown = step_catalogue.render_markdown(entries)
    for entry in entries:
        languages = {p.language for p in entry.phrasings}
        assert languages == {"en", "zh"}, f"{entry.module}.{entry.name} has phrasings in {sorted(languages)} only"
        for phrasing in entry.phrasings:
            assert phrasing.phrase.display in text
            assert f"`{phrasing.phrase.display}`" in markdown


def test_every_step_function_says_what_it_means(entries: list[step_catalogue.Entry]) -> None:
    assert [f"{e.module}.{e.name}" for e in entries if not e.meaning] == []


def test_examples_and_function_points_come_from_the_features(entries: list[step_catalogue.Entry]) -> None:
    [entry] = [e for e in entries if e.name == "add_organisation"]
    assert {example.language for example in entry.examples} == {"en", "zh"}
    assert all(example.path.startswith("features/") for example in entry.examples)
    assert "FP-CUS-001" in entry.function_points


def test_parameters_show_types_and_closed_sets(entries: list[step_catalogue.Entry]) -> None:
    text = step_catalogue.render_text(entries)
    assert "{amount}: an amount, e.g. 12,500 or 1,234.56" in text
    assert "{screen}: a screen: home, home screen, home page, 首页" in text
    assert '{names}: one or more quoted values: "A", "B" and "C"' in text


def test_phrasings_no_feature_uses_are_listed(tmp_path: Path) -> None:
    feature = tmp_path / "one.feature"
    feature.write_text(
        'Feature: One\n  @FP-CUS-001\n  Scenario: S\n    Then I add an organisation "Acme"\n', encoding="utf-8"
    )
    entries = step_catalogue.build([feature], tmp_path)
    [entry] = [e for e in entries if e.name == "add_organisation"]
    assert entry.examples == [step_catalogue.Example('Then I add an organisation "Acme"', "one.feature", 4, "en")]
    assert entry.function_points == {"FP-CUS-001"}
    assert [p.text for p in entry.unused] == ['an organisation "{name}"', '已有公司"{name}"', '我新增公司"{name}"']
    markdown = step_catalogue.render_markdown(entries)
    assert '- `已有公司"{name}"` (add_organisation)' in markdown
    assert "Example: none yet (no feature uses it)" in markdown


def test_signoff_steps_prints_and_writes_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(["steps"]) == 0
    printed = capsys.readouterr().out
    assert "== customers — Steps about customers" in printed
    assert 'When  I add an organisation "{name}"' in printed
    target = tmp_path / "out" / "steps.md"
    assert cli.main(["steps", "--markdown", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8")


def test_an_unwritable_catalogue_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert cli.main(["steps", "--markdown", str(blocker / "steps.md")]) == cli.EXIT_USAGE
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"signoff: cannot write the step catalogue to {blocker / 'steps.md'}")
