"""sqlmap as a tool: only on the forms and list-search parameters the CRM adapter names, with the
signed-in session, time-boxed; its output parsed into findings.

A POST form is read first with the signed-in session (:func:`resolve`): every field a browser would
submit, the adapter's values over them, sent with ``--data``; its anti-forgery token is fetched
afresh for every request sqlmap sends (``--csrf-token`` / ``--csrf-url``). Level, risk and
techniques come from the plan (``[security] sqlmap_level``, ``sqlmap_risk``, ``sqlmap_techniques``).

sqlmap says one of two things when it completes: the injection points it identified (also in
``<output>/<host>/log``), or "all tested parameters do not appear to be injectable". Anything else
- a crash, a time box run out, a connection it could not make - is could-not-check.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path

from signoff.crm.security import HttpForm, InjectionPoint
from signoff.findings import Finding
from signoff.security.model import could_not_check, finding
from signoff.security.scanners import SQLMAP, ToolRun, ensure_tool, run_tool

NOT_INJECTABLE = "all tested parameters do not appear to be injectable"
IDENTIFIED = "sqlmap identified the following injection point(s)"
_POINT = re.compile(r"^Parameter: (?P<param>\S+) \((?P<place>[^)]+)\)\n(?P<body>(?:    .*\n?|\n)*)", re.MULTILINE)
_TYPE = re.compile(r"^\s+Type: (.+)$", re.MULTILINE)
_PAYLOAD = re.compile(r"^\s+Payload: (.+)$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Options:
    """How hard sqlmap tries (the plan's ``sqlmap_level``, ``sqlmap_risk``, ``sqlmap_techniques``)."""

    level: int = 1
    risk: int = 1
    #: No time-based technique by default: it would not fit a time box.
    techniques: str = "BEU"


def resolve(point: InjectionPoint, read_form: Callable[[str], HttpForm]) -> InjectionPoint:
    """A POST form's injection point with every field of the form as the signed-in user sees it
    (``read_form``: path -> form), the adapter's values over them; other points as they are."""
    if not point.form_page:
        return point
    form = read_form(point.form_page).with_values(point.params)
    params: dict[str, str] = {}
    for name, value in form.fields:
        params.setdefault(name, value)  # a field sent twice (a multiple choice) keeps its first value
    token_field = point.token_field or (form.token_fields[0] if form.token_fields else "")
    return dataclasses.replace(
        point,
        params=params,
        token_field=token_field,
        token_page=point.token_page or (point.form_page if token_field else ""),
    )


def command(
    executable: Path,
    base_url: str,
    point: InjectionPoint,
    cookies: Mapping[str, str],
    out_dir: Path,
    seconds: float,
    options: Options = Options(),
) -> list[str]:
    """sqlmap's command line for one injection point: its parameters only, no questions, the plan's
    level, risk and techniques, the session cookie, a fresh anti-forgery token per try."""
    url = base_url.rstrip("/") + point.path
    params = urllib.parse.urlencode(list(point.params.items()))
    argv = [
        str(executable),
        "--batch",
        "--flush-session",
        "--disable-coloring",
        f"--output-dir={out_dir}",
        f"--technique={options.techniques.upper()}",
        f"--level={options.level}",
        f"--risk={options.risk}",
        "--timeout=20",
        "--retries=1",
        f"--cookie={'; '.join(f'{k}={v}' for k, v in cookies.items())}",
        "-p",
        ",".join(point.probe),
    ]
    if point.method == "GET":
        argv += ["-u", f"{url}?{params}"]
    else:
        argv += ["-u", url, f"--data={params}"]
    if point.token_field:
        argv += [f"--csrf-token={point.token_field}", f"--csrf-url={base_url.rstrip('/') + point.token_page}"]
    return argv


def scan(
    home: Path,
    base_url: str,
    points: tuple[InjectionPoint, ...],
    cookies: Mapping[str, str],
    out_dir: Path,
    seconds: float,
    options: Options = Options(),
) -> tuple[list[Finding], list[ToolRun]]:
    """Each injection point in turn, sharing the time box; could-not-check for what was not finished.
    POST forms must have gone through :func:`resolve` first."""
    if not points:
        return [could_not_check("sqlmap", "sqlmap", "the CRM adapter names no injection point")], []
    try:
        executable = ensure_tool(SQLMAP, home)
    except Exception as error:  # an install that failed for any reason: shown, never a pass
        return [could_not_check("sqlmap", "sqlmap", f"sqlmap could not be installed: {error}")], []
    findings: list[Finding] = []
    runs: list[ToolRun] = []
    deadline = time.monotonic() + seconds
    for index, point in enumerate(points):
        # An even share of what is left: time a quick point did not use goes to the ones after it.
        share = max(1.0, (deadline - time.monotonic()) / (len(points) - index))
        folder = out_dir / f"sqlmap-{index + 1}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        run = run_tool(
            "sqlmap",
            command(executable, base_url, point, cookies, folder, share, options),
            folder / "sqlmap.out",
            share,
            folder,
        )
        runs.append(run)
        output = run.log.read_text(encoding="utf-8", errors="replace")
        findings += parse_output(point, output, run.timed_out, run.exit_code)
    return findings, runs


def parse_output(
    point: InjectionPoint, output: str, timed_out: bool = False, exit_code: int | None = 0
) -> list[Finding]:
    """Findings from sqlmap's console output for one injection point."""
    where = f"{point.name} ({point.method} {point.path})"
    if IDENTIFIED in output:
        found = []
        for match in _POINT.finditer(output.split(IDENTIFIED, 1)[1]):
            param, place, body = match.group("param"), match.group("place"), match.group("body")
            types = _TYPE.findall(body)
            payloads = _PAYLOAD.findall(body)
            found.append(
                finding(
                    "sql-injection",
                    f"sqlmap:{point.name}:{param}",
                    where=f"{where} parameter {param} ({place})",
                    expected="no injection",
                    actual="injectable: " + "; ".join(types),
                    evidence=tuple(f"payload: {p}" for p in payloads[:3]),
                    steps=(f"Send {point.method} {point.path} with {param} = {payloads[0] if payloads else '…'}",),
                    check="sqlmap",
                )
            )
        if found:
            return found
    if NOT_INJECTABLE in output and not timed_out:
        return []
    if timed_out:
        reason = "ran out of its time box before it finished"
    else:
        critical = [line for line in output.splitlines() if "[CRITICAL]" in line]
        reason = critical[-1].split("[CRITICAL]", 1)[1].strip() if critical else f"ended with exit code {exit_code}"
    return [could_not_check("sqlmap", f"sqlmap:{point.name}", f"sqlmap {reason}", where=where)]
