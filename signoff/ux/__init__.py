"""User-experience acceptance: audits that measure how a CRM feels to use, independent of any CRM.

Every audit takes a Playwright :class:`~playwright.sync_api.Page` (sync API) and returns plain
dataclasses that :func:`dataclasses.asdict` turns into JSON-ready dicts. Audits never assert: they
measure and describe. :mod:`signoff.ux.scorecard` turns the measurements into scores and a pass/fail
verdict against the ``[ux]`` section of the acceptance plan (:mod:`signoff.ux.plan`).

Modules, one per concern:

* :mod:`signoff.ux.accessibility` - axe-core WCAG audit, Lighthouse-style weighted score, annotated
  screenshot.
* :mod:`signoff.ux.routes` - page kinds (route templates) so that each kind of page is audited once.
* :mod:`signoff.ux.usability` - effort (action counting), feedback after save / bad input, keyboard
  reach, small screens, consistency of primary actions, speed as felt, text rendering.
* :mod:`signoff.ux.scorecard` - aggregation, thresholds, ``ux-scorecard.json`` / ``.html``.
"""

from __future__ import annotations
