"""Shared fixtures of Signoff's own tests."""

pytest_plugins = ["pytester"]
