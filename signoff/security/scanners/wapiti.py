"""wapiti3 as a tool: an authenticated crawl and attack of the target with the modules that need no
outside service, time-boxed, and its JSON report parsed into findings."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from signoff.findings import Finding
from signoff.security.model import could_not_check, finding
from signoff.security.scanners import WAPITI, ToolRun, ensure_tool, run_tool

#: Modules that attack or inspect the target alone. Left out: ssrf, xxe and log4shell (they call
#: wapiti's own server on the internet), wapp and nikto (they download databases), takeover and
#: ssl (DNS and TLS outside the loopback target), timesql and buster (too slow for a time box).
#: Headers, cookie flags and CSP are left to our own checks (they judge them per page and per
#: transport, with HSTS and Secure only over HTTPS); the attack modules are what a scanner adds.
MODULES = ("xss", "permanentxss", "sql", "exec", "file", "redirect", "crlf", "csrf", "methods", "backup")

_ID = re.compile(r"/\d+(?=/|$)")

#: wapiti's levels (0 info ... 4 critical) in our severities.
LEVELS = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}

#: wapiti categories that are the same weakness as one of our rules (its CWE, OWASP category and fix).
CATEGORY_RULES = {
    "SQL Injection": "sql-injection",
    "Blind SQL Injection": "sql-injection",
    "Cross Site Scripting": "stored-xss",
    "Stored Cross Site Scripting": "stored-xss",
    "Reflected Cross Site Scripting": "stored-xss",
    "Open Redirect": "open-redirect",
    "Cross Site Request Forgery": "csrf-no-token",
    "Content Security Policy Configuration": "missing-csp",
    "Clickjacking Protection": "missing-frame-options",
    "MIME Type Confusion": "missing-nosniff",
    "HttpOnly Flag cookie": "cookie-httponly",
    "Secure Flag cookie": "cookie-secure",
    "Strict Transport Security (HSTS)": "missing-hsts",
}
#: Categories that only apply to a target served over HTTPS.
HTTPS_ONLY = {"Secure Flag cookie", "Strict Transport Security (HSTS)"}


def command(
    executable: Path,
    base_url: str,
    cookies: Mapping[str, str],
    report: Path,
    session_dir: Path,
    seconds: float,
    excludes: Iterable[str],
) -> list[str]:
    """wapiti's command line: scope = the target's folder, the signed-in cookies, the time box."""
    argv = [
        str(executable),
        *("-u", base_url.rstrip("/") + "/", "--scope", "folder", "-m", ",".join(MODULES)),
        *("-C", "; ".join(f"{name}={value}" for name, value in cookies.items())),
        *("-f", "json", "-o", str(report), "--flush-session"),
        *("--store-session", str(session_dir / "session"), "--store-config", str(session_dir / "config")),
        # A bounded crawl: a CRM has thousands of record URLs that are all the same few pages.
        *("-d", "2", "--max-links-per-page", "20", "--max-files-per-dir", "5", "--max-parameters", "8"),
        # Crawling takes a quarter of the box, the attack modules share the rest; the process is
        # stopped from outside when the box is over anyway.
        *("--max-scan-time", str(int(seconds / 4))),
        *("--max-attack-time", str(max(5, int(seconds * 3 / 4 / len(MODULES))))),
        *("--tasks", "4", "-t", "20", "--no-bugreport", "-v", "1"),
    ]
    for url in excludes:
        argv += ["-x", url]
    return argv


def scan(
    home: Path, base_url: str, cookies: Mapping[str, str], out_dir: Path, seconds: float, excludes: Iterable[str] = ()
) -> tuple[list[Finding], ToolRun | None]:
    """Install (once), run and parse; a missing or failing wapiti is a could-not-check finding."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = out_dir / "wapiti.json"
    report.unlink(missing_ok=True)
    session_dir = out_dir / "wapiti-session"
    shutil.rmtree(session_dir, ignore_errors=True)
    (session_dir / "session").mkdir(parents=True)
    (session_dir / "config").mkdir()
    try:
        executable = ensure_tool(WAPITI, home)
    except Exception as error:  # an install that failed for any reason: shown, never a pass
        return [could_not_check("wapiti", "wapiti", f"wapiti3 could not be installed: {error}")], None
    run = run_tool(
        "wapiti",
        command(executable, base_url, cookies, report, session_dir, seconds, excludes),
        out_dir / "wapiti.log",
        seconds + 30,
        out_dir,
    )
    if not report.is_file():
        why = "ran out of its time box" if run.timed_out else f"ended with exit code {run.exit_code}"
        return [could_not_check("wapiti", "wapiti", f"wapiti {why} without a report (log: {run.log.name})")], run
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [could_not_check("wapiti", "wapiti", f"wapiti's report is unreadable: {error}")], run
    findings = parse_report(data, https=base_url.startswith("https:"))
    if run.timed_out:
        findings.append(
            could_not_check(
                "wapiti", "wapiti-time-box", f"wapiti was stopped at its time box of {seconds:g} s: its scan is partial"
            )
        )
    return findings, run


def parse_report(data: Mapping[str, Any], *, https: bool) -> list[Finding]:
    """Findings from wapiti's JSON report: its vulnerabilities and anomalies (server errors)."""
    if "vulnerabilities" not in data:
        raise ValueError("not a wapiti JSON report (no 'vulnerabilities')")
    classifications: Mapping[str, Any] = data.get("classifications", {})
    found: dict[str, Finding] = {}
    for section in ("vulnerabilities", "anomalies"):
        for category, items in (data.get(section) or {}).items():
            if category in HTTPS_ONLY and not https:
                continue  # not a weakness of a plain-HTTP loopback target: our own checks judge transport
            about = classifications.get(category, {})
            for item in items or ():
                path = str(item.get("path", ""))
                parameter = str(item.get("parameter", ""))
                # Record ids change with every reset: the key names the page kind, not the record.
                key = f"wapiti:{category}:{_ID.sub('/{id}', path)}:{parameter}"
                if key in found:
                    continue
                rule = CATEGORY_RULES.get(category, "scanner")
                found[key] = finding(
                    rule,
                    key,
                    where=f"{item.get('method', 'GET')} {path}" + (f" parameter {parameter}" if parameter else ""),
                    actual=str(item.get("info", "")),
                    expected="no weakness",
                    title=f"{category} (wapiti)",
                    severity=LEVELS.get(int(item.get("level", 2)), "medium"),
                    cwe=_cwe(about),
                    fix=str(about.get("sol", "")).strip() or "",
                    evidence=tuple(
                        e
                        for e in (str(item.get("http_request", ""))[:1500], str(item.get("curl_command", ""))[:1500])
                        if e
                    ),
                    check="wapiti",
                )
    return list(found.values())


def _cwe(about: Mapping[str, Any]) -> str:
    for name in about.get("ref") or {}:
        if str(name).upper().startswith("CWE-"):
            return str(name).split(":")[0].strip().upper()
    return ""
