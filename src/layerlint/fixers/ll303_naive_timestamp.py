"""LL303: aware defaults (`datetime.now(timezone.utc)`, the import added) and `DateTime(timezone=True)`
in the field's own statement (unsafe)."""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite, append_argument

MESSAGE = "Make the timestamp timezone-aware"


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    statement = site.statement_at(diagnostic.line)
    if not isinstance(statement, (cst.AnnAssign, cst.Assign)) or statement.value is None:
        return None
    aware = _Aware()
    value = statement.value.visit(aware)
    assert isinstance(value, cst.BaseExpression)
    if not aware.changed:
        return None
    imports = [("datetime", "timezone")] if aware.needs_timezone else []
    return site.fix(MESSAGE, Applicability.UNSAFE, statement, statement.with_changes(value=value), imports)


def _datetime_class(node: cst.BaseExpression) -> str | None:
    """`datetime` or `datetime.datetime`, as written, when `node` names the class."""
    if isinstance(node, cst.Name) and node.value == "datetime":
        return "datetime"
    if isinstance(node, cst.Attribute) and node.attr.value == "datetime" and \
            isinstance(node.value, cst.Name) and node.value.value == "datetime":
        return "datetime.datetime"
    return None


def _naive_factory(node: cst.BaseExpression) -> str | None:
    """`datetime.utcnow` or `datetime.now` (not called): the class as written."""
    if isinstance(node, cst.Attribute) and node.attr.value in ("utcnow", "now"):
        return _datetime_class(node.value)
    return None


def _is_datetime_type(node: cst.BaseExpression) -> bool:
    """SQLAlchemy's `DateTime` (or `sa.DateTime`), not called."""
    return (isinstance(node, cst.Name) and node.value == "DateTime") or \
        (isinstance(node, cst.Attribute) and node.attr.value == "DateTime")


class _Aware(cst.CSTTransformer):
    def __init__(self) -> None:
        self.changed = self.needs_timezone = False

    def _now(self, cls: str) -> cst.Call:
        self.changed = True
        self.needs_timezone = self.needs_timezone or cls == "datetime"
        utc = "timezone.utc" if cls == "datetime" else "datetime.timezone.utc"
        return cst.parse_expression(f"{cls}.now({utc})")  # type: ignore[return-value]

    def visit_Call(self, node: cst.Call) -> bool:
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        cls = _naive_factory(original.func)
        if cls is not None and not original.args:  # datetime.utcnow(), datetime.now()
            return self._now(cls)
        if _is_datetime_type(original.func) and not any(
                a.keyword is not None and a.keyword.value == "timezone" for a in original.args):
            self.changed = True
            return updated.with_changes(args=append_argument(updated.args, _timezone_true(),
                                                             updated.whitespace_before_args))
        return updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        """A factory passed by name (`default_factory=datetime.utcnow`) or the bare type (`Column(DateTime)`)."""
        cls = _naive_factory(original.value)
        if cls is not None:
            lambda_ = cst.Lambda(cst.Parameters(), self._now(cls))
            return updated.with_changes(value=lambda_)
        if _is_datetime_type(original.value):
            self.changed = True
            return updated.with_changes(value=cst.Call(original.value, args=[_timezone_true()]))
        return updated


def _timezone_true() -> cst.Arg:
    return cst.Arg(cst.Name("True"), keyword=cst.Name("timezone"),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
