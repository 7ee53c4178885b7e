"""Functional acceptance: the function-point catalogue (the contract) and its coverage by scenarios.

- :mod:`signoff.coverage.catalogue` loads and validates ``catalogue/function-points.csv``.
- :mod:`signoff.coverage.tags` finds the function points a scenario names with ``@FP-...`` tags.
- :mod:`signoff.coverage.report` computes coverage from scenario results and writes the reports.
- :mod:`signoff.coverage.pytest_plugin` does all of it during a pytest run.
- :mod:`signoff.coverage.plan` declares the ``[coverage]`` section of the acceptance plan.

This package imports nothing heavy on purpose: the plan loader imports :mod:`signoff.coverage.plan`
for every run, including runs that never compute coverage.
"""
