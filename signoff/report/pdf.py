"""Printing an HTML file to PDF offline with Chromium's own printing, through Playwright.

The page is opened from ``file://`` (everything it needs is inline), printed on A4 with a footer
"page N of M" (Chromium fills ``pageNumber`` and ``totalPages``), and the browser is closed whatever
happens. Chinese text needs a CJK font on the machine (``fonts-noto-cjk``, installed with the browser).
"""

from __future__ import annotations

from pathlib import Path

from signoff import browsers
from signoff.errors import BrowserError

#: Footer of every page. Chromium's header and footer templates use a tiny default font size.
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '{title} · <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_pdf(html: Path, pdf: Path, *, title: str = "", executable: str = "") -> Path:
    """Print ``html`` to ``pdf`` with Chromium; return ``pdf``. A missing browser is a BrowserError."""
    from markupsafe import escape
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    choice = browsers.resolve("chromium", executable)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf.with_name(f".{pdf.name}.partial")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**choice.launch_args)
            try:
                page = browser.new_page()
                page.goto(Path(html).resolve().as_uri(), wait_until="load")
                page.pdf(
                    path=str(partial),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<div></div>",
                    footer_template=FOOTER.format(title=escape(title)),
                    margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
        partial.replace(pdf)
    except PlaywrightError as error:
        partial.unlink(missing_ok=True)
        raise BrowserError(f"could not print {html.name} to PDF: {str(error).splitlines()[0]}") from None
    return pdf
