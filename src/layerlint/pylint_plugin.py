"""`load-plugins=layerlint.pylint_plugin`: the name pylint users and editor settings write."""

from __future__ import annotations

from layerlint.integrations.pylint import LayerlintChecker, register

__all__ = ["LayerlintChecker", "register"]
