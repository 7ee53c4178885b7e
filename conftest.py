"""Root conftest: loads Signoff's pytest plugin and every module of the step vocabulary.

Feature files under ``features/`` are collected by the plugin; a new ``steps/*.py`` module is
picked up without being listed anywhere.
"""

from signoff.lint import step_modules

pytest_plugins = [
    "signoff.pytest_plugin",
    "signoff.coverage.pytest_plugin",
    "signoff.ux.pytest_plugin",
    "signoff.security.pytest_plugin",
    "signoff.data.pytest_plugin",
    "signoff.performance.pytest_plugin",
    "signoff.interrupts",
    "signoff.progress",
    *step_modules(),
]
