"""Printing an HTML file to PDF offline with Chromium's own printing, through Playwright.

The page is opened from ``file://`` (everything it needs is inline), printed on A4 with a footer
"page N of M" (Chromium fills ``pageNumber`` and ``totalPages``), and the browser is closed whatever
happens. Chinese text needs a CJK font on the machine (``fonts-noto-cjk``, installed with the browser).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from signoff import browsers
from signoff.errors import BrowserError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Footer of every page. Chromium's header and footer templates use a tiny default font size.
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '{title} · <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_pdf(html: Path, pdf: Path, *, title: str = "", executable: str = "", browser: Browser | None = None) -> Path:
    """Print ``html`` to ``pdf`` with Chromium; return ``pdf``. A missing browser is a BrowserError.

    ``browser``: a Chromium already running in this process (Playwright's sync API cannot be started
    twice in one thread, e.g. under pytest-playwright); without it one is launched and closed here.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    pdf.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf.with_name(f".{pdf.name}.partial")
    try:
        if browser is not None:
            _print(browser, html, partial, title)
        else:
            choice = browsers.resolve("chromium", executable)
            with sync_playwright() as playwright:
                launched = playwright.chromium.launch(**choice.launch_args)
                try:
                    _print(launched, html, partial, title)
                finally:
                    launched.close()
        partial.replace(pdf)
    except PlaywrightError as error:
        partial.unlink(missing_ok=True)
        raise BrowserError(f"could not print {html.name} to PDF: {str(error).splitlines()[0]}") from None
    return pdf


def _print(browser: Browser, html: Path, target: Path, title: str) -> None:
    from markupsafe import escape

    page = browser.new_page()
    try:
        page.goto(Path(html).resolve().as_uri(), wait_until="load")
        page.pdf(
            path=str(target),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=FOOTER.format(title=escape(title)),
            margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
        )
    finally:
        page.close()
