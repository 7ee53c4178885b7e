"""Signoff: the acceptance kit for CRM systems.

The engine package: targets (the CRMs under test), the acceptance plan, browsers, the pytest plugin
that turns feature files into tests, reports and the ``signoff`` command line.
"""

__version__ = "0.1.0"
