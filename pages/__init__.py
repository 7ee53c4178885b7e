"""Page objects: *how* each CRM is driven. One package per CRM (``pages/<kind>/``).

Each package exposes ``create_crm(page, target)`` returning an object that implements the
CRM-neutral interface of :mod:`signoff.crm`.
"""
