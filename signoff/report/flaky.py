"""Flaky scenarios: those that both passed and failed across their retries or the recent runs.

Allure 2 shows a result as flaky, and files it under a category whose ``flaky`` flag is set, when the
result says so in ``statusDetails.flaky`` (it only infers flakiness itself from the history that its
own report folder carries, which a fresh machine, a CI job or a merge does not have). The kit knows
more: every result of this run (a retried scenario has one result per try, all with the same Allure
``historyId``; merged runs bring one each) and every archived run under ``reports/history`` (each
scenario's outcome by its id, :mod:`signoff.report.history`). :func:`mark_flaky` sets
``statusDetails.flaky = true`` on every result of a scenario whose outcomes, over its results here and
the last ``window`` archived runs, hold both a pass and a failure (failed, broken or could not check;
a skip counts as neither). A scenario that always passed or always failed is left alone, and a flag
set by someone else is never cleared.

A result is matched to the archive by the scenario id Signoff's plugin records as the Allure label
:data:`~signoff.allure_env.SCENARIO_ID_LABEL` (the pytest node id, the id the archive keeps);
results without it (written before the label existed) are judged by their retries only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from signoff.allure_env import SCENARIO_ID_LABEL
from signoff.files import write_atomically
from signoff.plan import Plan
from signoff.report.history import history_dir, list_runs, load_run

#: Outcomes that count as a pass and as a failure (Allure statuses and the archive's outcomes).
PASSED: Final = frozenset({"passed"})
FAILED: Final = frozenset({"failed", "broken", "could_not_check"})


def _label(data: Mapping[str, Any], name: str) -> str:
    for item in data.get("labels", ()) or ():
        if isinstance(item, Mapping) and item.get("name") == name:
            return str(item.get("value", ""))
    return ""


def _title(data: Mapping[str, Any]) -> str:
    browser = _label(data, "browser")
    feature = _label(data, "feature")
    name = str(data.get("name", ""))
    return (f"{feature} / {name}" if feature else name) + (f" [{browser}]" if browser else "")


def recent_outcomes(runs: Sequence[Path]) -> dict[str, list[str]]:
    """Scenario id -> its outcome in each of ``runs`` that ran it (archived run folders)."""
    outcomes: dict[str, list[str]] = {}
    for run in runs:
        for scenario_id, scenario in load_run(run).scenarios.items():
            outcomes.setdefault(scenario_id, []).append(scenario.outcome)
    return outcomes


def mark_flaky(results_dir: Path, runs: Sequence[Path] = ()) -> list[str]:
    """Set ``statusDetails.flaky`` on the results of flaky scenarios; their titles, sorted.

    ``runs`` are the archived runs to look back on (oldest first, as :func:`history.list_runs` gives).
    """
    recent = recent_outcomes(runs)
    groups: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path in sorted(Path(results_dir).glob("*-result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a result Allure can read either
        if not isinstance(data, dict):
            continue
        # historyId is Allure's identity of one test with its parameters: the same for every retry.
        key = str(data.get("historyId") or _label(data, SCENARIO_ID_LABEL) or path.name)
        groups.setdefault(key, []).append((path, data))

    flaky: set[str] = set()
    for results in groups.values():
        outcomes = [str(data.get("status", "")) for _path, data in results]
        for scenario_id in {_label(data, SCENARIO_ID_LABEL) for _path, data in results} - {""}:
            outcomes += recent.get(scenario_id, [])
        if not (PASSED.intersection(outcomes) and FAILED.intersection(outcomes)):
            continue
        for path, data in results:
            details = data.get("statusDetails")
            if not isinstance(details, dict):
                details = data["statusDetails"] = {}
            if details.get("flaky") is not True:
                details["flaky"] = True
                write_atomically(path, json.dumps(data, ensure_ascii=False))
            flaky.add(_title(data))
    return sorted(flaky)


def mark_from_history(results_dir: Path, history: Path, window: int) -> list[str]:
    """:func:`mark_flaky` against the last ``window`` runs archived in ``history``."""
    runs = list_runs(history)
    return mark_flaky(results_dir, runs[max(0, len(runs) - window) :] if window > 0 else [])


def mark_run(plan: Plan, results_dir: Path) -> list[str]:
    """:func:`mark_flaky` for a run of ``plan``: its archive and its ``[history] flaky_window``."""
    from signoff.report.plan import history_section

    history = history_dir(plan.resolve(plan.run.report_dir))
    return mark_from_history(results_dir, history, history_section(plan).flaky_window)


def summary_line(flaky: Sequence[str]) -> str:
    """One line for the terminal: how many scenarios are flaky and the first few."""
    shown = "; ".join(flaky[:5]) + (f"; and {len(flaky) - 5} more" if len(flaky) > 5 else "")
    return f"flaky scenarios (passed and failed across retries or recent runs): {len(flaky)}: {shown}"
