"""sqlmap on POST forms: the form read with the signed-in session, ``--data`` with every field, the
anti-forgery token fetched afresh (``--csrf-token`` / ``--csrf-url``), the plan's level, risk and
techniques; and real sqlmap finding a planted injection in a POST form of the fixture app, and
nothing in its clean twin.

The real runs use the sqlmap of the repository's target home (``.signoff/tools/sqlmap``, installed
there on first use) with the boolean-based technique only, so that each takes a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from signoff.crm.security import HttpForm, InjectionPoint
from signoff.errors import PlanError
from signoff.security.checks import CheckContext
from signoff.security.plan import SecuritySection
from signoff.security.run import run_named
from signoff.security.scanners import sqlmap
from signoff.security.scanners.sqlmap import NOT_INJECTABLE, Options, command, resolve
from tests.unit.security.fixtures.adapter import FixtureSecurity
from tests.unit.security.fixtures.app import serve

HOME = Path(__file__).resolve().parents[3] / ".signoff"
FINDER = InjectionPoint("record finder", "POST", "/records/find", {"q": "Alpha"}, ("q",), form_page="/records/find")


def test_a_post_form_is_read_with_its_fields_and_token_and_the_adapter_values_over_them() -> None:
    form = HttpForm("/records/find", (("csrf", "t0k3n"), ("q", ""), ("owner", "1"), ("owner", "2")), ("csrf",))
    point = resolve(FINDER, lambda path: form)
    assert point.params == {"csrf": "t0k3n", "q": "Alpha", "owner": "1"}
    assert (point.token_field, point.token_page) == ("csrf", "/records/find")
    # A GET search needs no form.
    search = InjectionPoint("record search", "GET", "/records", {"q": "a"}, ("q",))
    assert resolve(search, lambda path: pytest.fail("no form to read")) is search


def test_sqlmap_posts_the_form_with_a_fresh_token_the_cookie_and_the_plans_level_risk_and_techniques() -> None:
    point = resolve(FINDER, lambda path: HttpForm(path, (("csrf", "abc"), ("q", "")), ("csrf",)))
    argv = command(
        Path("/x/sqlmap"),
        "http://127.0.0.1:9000/",
        point,
        {"sid": "s1", "csrftoken": "c2"},
        Path("/tmp/out"),
        30,
        Options(level=3, risk=2, techniques="bt"),
    )
    assert argv[argv.index("-u") + 1] == "http://127.0.0.1:9000/records/find"
    assert "--data=csrf=abc&q=Alpha" in argv
    assert "--csrf-token=csrf" in argv and "--csrf-url=http://127.0.0.1:9000/records/find" in argv
    assert "--cookie=sid=s1; csrftoken=c2" in argv
    assert {"--level=3", "--risk=2", "--technique=BT", "--batch"} <= set(argv)
    assert argv[argv.index("-p") + 1] == "q"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sqlmap_level": 6}, "sqlmap_level = 6 is not between 1 and 5"),
        ({"sqlmap_risk": 0}, "sqlmap_risk = 0 is not between 1 and 3"),
        ({"sqlmap_techniques": "BX"}, "sqlmap_techniques = 'BX'"),
    ],
)
def test_the_plans_sqlmap_options_are_checked(values: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        SecuritySection(**values)  # type: ignore[arg-type]


class PostFormOnly(FixtureSecurity):
    """The fixture app with its POST search form as the one injection point."""

    def injection_points(self) -> tuple[InjectionPoint, ...]:
        return (FINDER,)


def _scan(flaw: str | None, tmp_path: Path) -> tuple[list[str], int]:
    section = SecuritySection(wapiti=False, sqlmap_seconds=90, sqlmap_techniques="B")
    with serve(flaw) as (url, state):
        security = PostFormOnly(url)
        security.add_record(security._admin(), "Alpha")
        result = run_named("sqlmap", CheckContext(security, section), home=HOME, out_dir=tmp_path)
        # Searches the app took with a valid token: the scan's tries really reached the query.
        return [f"{f.status} {f.key}" for f in result.findings], state.finds


@pytest.mark.slow
def test_sqlmap_finds_the_sql_injection_planted_in_a_post_form(tmp_path: Path) -> None:
    findings, finds = _scan("sqli-post", tmp_path)
    assert findings == ["failed sqlmap:record finder:q"], (tmp_path / "sqlmap-1" / "sqlmap.out").read_text()
    assert finds > 10


@pytest.mark.slow
def test_sqlmap_finds_nothing_in_the_clean_post_form(tmp_path: Path) -> None:
    findings, finds = _scan(None, tmp_path)
    assert findings == [], (tmp_path / "sqlmap-1" / "sqlmap.out").read_text()
    # "Nothing found" is only a pass because sqlmap's tries carried valid tokens and reached the query.
    out = (tmp_path / "sqlmap-1" / "sqlmap.out").read_text()
    assert "testing for SQL injection on POST parameter 'q'" in out and finds > 10


def test_a_quick_points_spare_time_goes_to_the_points_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in for sqlmap: done at once for /quick, never done for /slow (stopped at its box).
    fake = tmp_path / "fake-sqlmap"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, time\n"
        "if any('/slow' in arg for arg in sys.argv):\n"
        "    time.sleep(60)\n"
        f"print({NOT_INJECTABLE!r})\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(sqlmap, "ensure_tool", lambda tool, home: fake)
    points = tuple(InjectionPoint(name, "GET", f"/{name}", {"q": "a"}, ("q",)) for name in ("quick", "slow", "slow2"))
    findings, runs = sqlmap.scan(tmp_path, "http://127.0.0.1:9", points, {}, tmp_path / "out", 4.5)
    assert [run.timed_out for run in runs] == [False, True, True]
    # An even share would be 1.5 s each; the slow ones share what the quick one left (about 2.2 s each).
    assert runs[1].seconds > 1.9, [run.seconds for run in runs]
    assert [f.status for f in findings] == ["could-not-check", "could-not-check"]
