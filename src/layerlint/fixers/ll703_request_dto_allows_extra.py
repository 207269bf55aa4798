"""LL703: `extra="forbid"` in the request DTO's config, extending what is there (unsafe)."""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite, append_argument

FORBID = '"forbid"'
MESSAGE = 'Forbid extra fields: `extra="forbid"`'


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    cls = site.class_at(diagnostic.line)
    if cls is None or not isinstance(cls.body, cst.IndentedBlock):
        return None
    config = _model_config(cls.body)
    if config is not None:
        extended = _extended(config)
        # the class is replaced (not its config's value): the site finds a class's statement quickly
        return site.fix(MESSAGE, Applicability.UNSAFE, cls, cls.deep_replace(config, extended)) \
            if extended is not None else None
    nested = next((s for s in cls.body.body if isinstance(s, cst.ClassDef) and s.name.value == "Config"), None)
    if nested is not None:
        return _in_config_class(site, nested)
    line = cst.parse_statement(f"model_config = ConfigDict(extra={FORBID})\n")
    with_config = cls.with_changes(body=cls.body.with_changes(body=(*cls.body.body, line)))
    return site.fix(MESSAGE, Applicability.UNSAFE, cls, with_config, imports=[("pydantic", "ConfigDict")])


def _model_config(body: cst.IndentedBlock) -> cst.BaseExpression | None:
    """The value of the class's `model_config = ...`, if it has one."""
    for statement in body.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "model_config" for t in small.targets):
                return small.value
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and \
                    small.target.value == "model_config":
                return small.value
    return None


def _extended(config: cst.BaseExpression) -> cst.BaseExpression | None:
    """`ConfigDict(...)` or `{...}` with the setting added; None when it says something of extra
    fields already (a deliberate choice) or is a name (a shared config the fix must not change)."""
    if isinstance(config, cst.Call):
        if any(arg.keyword is not None and arg.keyword.value == "extra" for arg in config.args):
            return None
        argument = cst.Arg(cst.SimpleString(FORBID), keyword=cst.Name("extra"),
                           equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
        return config.with_changes(args=append_argument(config.args, argument, config.whitespace_before_args))
    if isinstance(config, cst.Dict):
        if any(isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
               and e.key.evaluated_value == "extra" for e in config.elements):
            return None
        element = cst.DictElement(cst.SimpleString('"extra"'), cst.SimpleString(FORBID))
        return config.with_changes(elements=append_argument(config.elements, element, config.lbrace.whitespace_after))
    return None


def _in_config_class(site: FixSite, config: cst.ClassDef) -> Fix | None:
    """Pydantic v1's `class Config:` gets `extra = "forbid"`."""
    if not isinstance(config.body, cst.IndentedBlock):
        return None
    for statement in config.body.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "extra" for t in small.targets):
                return None
    body = [s for s in config.body.body if not _is_pass(s)]
    line = cst.parse_statement(f"extra = {FORBID}\n")
    extended = config.with_changes(body=config.body.with_changes(body=(*body, line)))
    return site.fix(MESSAGE, Applicability.UNSAFE, config, extended)


def _is_pass(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in statement.body)
