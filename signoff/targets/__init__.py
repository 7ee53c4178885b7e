"""The CRMs under test: build the right :class:`~signoff.targets.base.Target` for a plan.

``creme`` is the embedded Creme CRM that Signoff installs and runs itself (one instance per label,
e.g. one per pytest-xdist worker); ``remote`` is a deployed CRM given by URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from signoff.errors import TargetError
from signoff.plan import Plan, TargetSection
from signoff.targets.base import Credentials, Target, TargetStatus

__all__ = [
    "HOME_ENV",
    "LABEL_ENV",
    "Credentials",
    "Target",
    "TargetStatus",
    "home_for",
    "make_target",
    "make_target_from_url",
    "worker_label",
]

#: Overrides the plan's ``[target] home`` (tests share one provisioned Creme through it).
HOME_ENV = "SIGNOFF_HOME"
#: Overrides the instance label (otherwise "main", or the pytest-xdist worker id).
LABEL_ENV = "SIGNOFF_CREME_LABEL"


def home_for(plan: Plan) -> Path:
    """The cache folder: ``$SIGNOFF_HOME`` if set, else ``[target] home`` relative to the plan."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return plan.resolve(plan.target.home).resolve()


def worker_label(default: str = "main") -> str:
    """``$SIGNOFF_CREME_LABEL``, else the pytest-xdist worker id (``gw0`` ...), else ``default``."""
    return os.environ.get(LABEL_ENV) or os.environ.get("PYTEST_XDIST_WORKER") or default


def make_target(plan: Plan, label: str = "main") -> Target:
    """The target the plan's ``[target]`` section describes."""
    section: TargetSection = plan.target
    if section.kind == "creme":
        from signoff.targets.creme import EmbeddedCreme

        return EmbeddedCreme(home_for(plan), label=label, start_timeout=section.start_timeout)
    if section.kind == "remote":
        if not section.url:
            raise TargetError(f"{plan.path.name}: [target] kind = 'remote' needs a url")
        from signoff.targets.remote import RemoteTarget

        return RemoteTarget(
            section.url,
            pages_kind=section.pages,
            username_env=section.username_env,
            password_env=section.password_env,
        )
    raise TargetError(f"{plan.path.name}: unknown [target] kind {section.kind!r}")


def make_target_from_url(
    url: str,
    pages_kind: str = "creme",
    credentials: Credentials | None = None,
    *,
    username_env: str = "SIGNOFF_USERNAME",
    password_env: str = "SIGNOFF_PASSWORD",
) -> Target:
    """A remote target for ``url`` (e.g. ``signoff run --url``), outside any plan."""
    from signoff.targets.remote import RemoteTarget

    return RemoteTarget(
        url,
        pages_kind=pages_kind,
        credentials=credentials,
        username_env=username_env,
        password_env=password_env,
    )
