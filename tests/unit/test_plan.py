"""The acceptance plan file: defaults, validation and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.errors import PlanError
from signoff.plan import load_plan, parse_sections


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acceptance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_default_file_means_all_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = load_plan()
    assert plan.target.kind == "creme"
    assert plan.browsers.names == ("chromium",)
    assert plan.run.isolation == "feature"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="plan file not found"):
        load_plan(tmp_path / "nope.toml")


def test_values_are_read_and_converted(tmp_path: Path) -> None:
    plan = load_plan(
        write(
            tmp_path,
            '[target]\nkind = "remote"\nurl = "http://127.0.0.1:9"\nstart_timeout = 5\n'
            '[browsers]\nnames = ["chromium", "firefox"]\n[run]\nworkers = 2\n',
        )
    )
    assert plan.target.kind == "remote"
    assert plan.target.start_timeout == 5.0
    assert plan.browsers.names == ("chromium", "firefox")
    assert plan.run.workers == 2
    assert plan.resolve(".signoff") == tmp_path.resolve() / ".signoff"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"colour": {}}, "unknown section [colour]"),
        ({"run": {"wrokers": 2}}, "unknown key 'wrokers' in [run]"),
        ({"run": {"workers": "two"}}, "[run] workers must be a whole number"),
        ({"run": {"workers": -1}}, "[run] workers must not be negative"),
        ({"run": {"isolation": "scenario"}}, "isolation = 'scenario' is not one of: feature, none"),
        ({"browsers": {"headed": "yes"}}, "[browsers] headed must be true or false"),
        ({"browsers": {"names": "chromium"}}, "[browsers] names must be a list"),
        ({"target": "creme"}, "[target] must be a table"),
    ],
)
def test_bad_plans_give_one_line_errors(document: dict, message: str) -> None:
    with pytest.raises(PlanError) as error:
        parse_sections(document)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"acceptance.toml: not valid TOML"):
        load_plan(write(tmp_path, "[run\nworkers = 2"))


def test_the_shipped_plan_is_valid() -> None:
    plan = load_plan(Path(__file__).parents[2] / "acceptance.toml")
    assert plan.target.kind == "creme"
