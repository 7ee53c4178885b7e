"""Reports that gather a whole run: the Allure report, the sign-off report, the defect list, the
comparison of two runs and the user manual.

``from signoff.report import build_report`` keeps working: the Allure report's builder lives in
:mod:`signoff.report.allure` and is re-exported here. The other modules are imported where they are
used, so that building an Allure report does not load Jinja2, openpyxl or Playwright.
"""

from __future__ import annotations

from signoff.report.allure import (
    ALLURE_PACKAGE,
    ALLURE_VERSION,
    allure_executable,
    allure_home,
    build_report,
    ensure_allure,
    java_executable,
    report_file,
    report_files,
    report_json,
)

__all__ = [
    "ALLURE_PACKAGE",
    "ALLURE_VERSION",
    "allure_executable",
    "allure_home",
    "build_report",
    "ensure_allure",
    "java_executable",
    "report_file",
    "report_files",
    "report_json",
]
