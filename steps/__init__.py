"""The step vocabulary: business phrasings in English and Chinese bound to the same functions.

Every module here is loaded by the root ``conftest.py`` (new modules are picked up by themselves).
Steps talk to the CRM-neutral interface (:mod:`signoff.crm`) through the ``crm`` fixture and never
to Playwright; assertions live here, not in the page objects.
"""
