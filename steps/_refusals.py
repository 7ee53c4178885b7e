"""Error-case support shared by the step modules: try what the CRM should refuse, then check how.

A When step runs a form through :func:`attempt`, which keeps the CRM's refusal (or ``None``) in the
scenario context; Then steps read it back with :func:`refusal` or :func:`assert_refused_at`. An
action that is not a form (delete, open a page) goes through :func:`attempt_action` and is read back
with :func:`action_refusal`.
(A module whose name starts with "_" holds no steps: the root conftest does not load it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signoff.crm import ActionRefused, FormRejected

KEY = "rejection"
ACTION_KEY = "refusal"


def attempt(scenario_context: dict[str, Any], action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run ``action``; keep the CRM's :class:`FormRejected` (or ``None`` when it accepted)."""
    _keep_refusal(scenario_context, KEY, FormRejected, action, *args, **kwargs)


def refusal(scenario_context: dict[str, Any], why: str = "it should have refused it") -> FormRejected:
    """The refusal kept by :func:`attempt`; fails when the CRM accepted the form."""
    rejection: FormRejected | None = scenario_context.get(KEY)
    assert rejection is not None, f"the CRM accepted the form although {why}"
    return rejection


def assert_refused_at(scenario_context: dict[str, Any], field: str, why: str = "it should have refused it") -> str:
    """The CRM refused the form with a message at ``field``; returns that message."""
    rejection = refusal(scenario_context, why)
    message = rejection.errors.get(field)
    assert message, f"no error shown at the {field.replace('_', ' ')} field; the CRM said: {rejection.errors}"
    return message


def attempt_action(scenario_context: dict[str, Any], action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run ``action``; keep the CRM's :class:`ActionRefused` (or ``None`` when it went ahead)."""
    _keep_refusal(scenario_context, ACTION_KEY, ActionRefused, action, *args, **kwargs)


def action_refusal(scenario_context: dict[str, Any]) -> ActionRefused | None:
    """What :func:`attempt_action` kept: the CRM's refusal, or ``None``."""
    return scenario_context.get(ACTION_KEY)


def _keep_refusal(
    scenario_context: dict[str, Any],
    key: str,
    refused_by: type[Exception],
    action: Callable[..., object],
    *args: Any,
    **kwargs: Any,
) -> None:
    try:
        action(*args, **kwargs)
    except refused_by as refused:
        scenario_context[key] = refused
    else:
        scenario_context[key] = None
