"""Adapters for flake8, pylint and import-linter: each translates, none decides."""
