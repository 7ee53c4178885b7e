"""Security acceptance: real scanners (wapiti3, sqlmap) and checks of our own with real sessions,
findings with severity, CWE and OWASP category, waivers, a verdict and a report.

- :mod:`signoff.security.plan` - the ``[security]`` plan section (tools, time boxes, threshold,
  role matrix, waivers, allowed hosts);
- :mod:`signoff.security.checks` - own checks, CRM-neutral (the CRM's surface comes from
  :class:`signoff.crm.security.Security`);
- :mod:`signoff.security.scanners` - wapiti3 and sqlmap installed in their own venvs and run
  time-boxed in their own process groups;
- :mod:`signoff.security.report` - ``security.{json,html}`` and ``summary.json``;
- :mod:`signoff.security.pytest_plugin` - the ``security_checks`` fixture the steps use, the
  report at the end of the run and the full-run gate.
"""
