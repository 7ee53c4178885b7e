"""Performance acceptance (性能验收): load, stress and smoke profiles against a CRM, measured and judged.

The engine knows no CRM: the journeys (locust users) and the accounts they sign in with come from
the target's page-object package (``pages/<kind>/load.py``, ``pages/<kind>/load_accounts.py``).
Locust runs only in child processes (:mod:`signoff.performance.runner`): importing it patches the
process with gevent, which Playwright's sync API and pytest do not survive.
"""
