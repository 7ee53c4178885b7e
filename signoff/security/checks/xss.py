"""Stored XSS: payloads saved through ordinary forms, then viewed in the list, detail and search pages
in a real browser. Detection is by execution only - a dialog the payload opens, carrying its marker -
never by finding the text in the HTML (an escaped payload shows as text, which is correct)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from playwright.sync_api import BrowserContext, Dialog
from playwright.sync_api import Error as PlaywrightError

from signoff.findings import Finding
from signoff.security.checks import CheckContext
from signoff.security.http import request_line
from signoff.security.model import finding

#: Each payload opens a dialog with its marker when it runs; ``{m}`` is replaced by the marker.
PAYLOADS = (
    "<img src=x onerror=alert('{m}')>",
    "\"><svg onload=alert('{m}')>",
    "<script>alert('{m}')</script>",
)
#: Milliseconds a view may take to run its scripts after it loaded.
SETTLE_MS = 500


def check_stored_xss(context: CheckContext, browser: BrowserContext) -> list[Finding]:
    """``browser`` is a browser context of the target (its cookies are replaced by the admin's)."""
    if not context.active:
        raise RuntimeError("saves payloads: only on a target that is reset afterwards")
    security = context.security
    admin = context.admin_client("stored xss")
    browser.clear_cookies()
    browser.add_cookies(
        [{"name": cookie.name, "value": cookie.value or "", "url": security.base_url} for cookie in admin.cookies]
    )
    found: list[Finding] = []
    for point in security.stored_inputs():
        markers: dict[str, str] = {}
        for index, template in enumerate(PAYLOADS):
            marker = f"sxss{context.run_id}{point.field}{index}"
            payload = template.format(m=marker)
            values = {key: value.replace("{run}", context.run_id) for key, value in point.form.values.items()}
            form = security.read_form(admin, point.form.path).with_values({**values, point.field: payload})
            answer = admin.post(form.action, data=list(form.fields), headers={"Referer": admin.url(point.form.path)})
            if answer.status_code not in (301, 302, 303):
                # The CRM refused the value (length, characters): that payload is not stored.
                continue
            record = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
            markers[marker] = record
        if not markers:
            raise RuntimeError(f"{point.name}: no payload was saved ({request_line(answer)})")
        for marker, record in markers.items():
            for view, template in point.views.items():
                path = template.replace("{record}", record).replace("{text}", urllib.parse.quote(marker))
                ran = _dialogs(browser, security.base_url.rstrip("/") + path, context.evidence_dir, marker)
                if ran is not None:
                    found.append(
                        finding(
                            "stored-xss",
                            f"stored-xss:{point.name}:{view}",
                            where=f"{view} page ({path.split('?')[0]})",
                            expected="the saved text is shown as text",
                            actual=f"the script saved in '{point.name}' ran in the {view} page: dialog '{marker}'",
                            evidence=(f"payload: {PAYLOADS[int(marker[-1])].format(m=marker)}", *ran),
                            steps=(
                                f"Save '{PAYLOADS[int(marker[-1])].format(m=marker)}' as {point.name}",
                                f"Open the {view} page",
                            ),
                            check="stored xss",
                        )
                    )
    # One finding per field and view: several payloads running in one view are one defect.
    unique: dict[str, Finding] = {}
    for item in found:
        unique.setdefault(item.key, item)
    return list(unique.values())


def _dialogs(browser: BrowserContext, url: str, evidence_dir: Path | None, marker: str) -> tuple[str, ...] | None:
    """Open ``url``; the evidence when a dialog carrying ``marker`` opened, else None."""
    seen: list[str] = []
    page = browser.new_page()

    def on_dialog(dialog: Dialog) -> None:
        seen.append(dialog.message)
        try:
            dialog.dismiss()
        except PlaywrightError:
            pass

    page.on("dialog", on_dialog)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
        if marker not in seen:
            return None
        evidence = [f"GET {url} -> a dialog '{marker}' opened"]
        if evidence_dir is not None:
            evidence_dir.mkdir(parents=True, exist_ok=True)
            shot = evidence_dir / f"{marker}.png"
            try:
                page.screenshot(path=str(shot))
                # Relative to the report folder's area folder (reports/security/evidence/...).
                evidence.append(f"{evidence_dir.parent.name}/{evidence_dir.name}/{shot.name}")
            except PlaywrightError:
                pass
        return tuple(evidence)
    finally:
        page.close()
