"""Every rule says what it reads, and reads nothing else: the analyses it builds and the
configuration keys it reads, on every fixture project, are among those it declares; every
declared one is read somewhere; the declared keys are the ones its `## Options` section names."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from harness import FIXTURES, NO_CACHE

from layerlint import engine
from layerlint.core import config as config_module
from layerlint.core.config import Config, load_config
from layerlint.project.index.roles import RoleAssigner
from layerlint.project.project import ANALYSES, Project, needed_analyses
from layerlint.rules import RULES
from layerlint.rules._models import ColumnProviders, FieldHeirs, IdChecks
from layerlint.rules.base import Rule

ROOTS = sorted(p.parent for p in FIXTURES.glob("*/*/pyproject.toml")) + \
    [Path(__file__).parent.parent / "examples" / "shop"]
# Keys every rule depends on through selection and the roles (layer configuration), not its own options.
LAYER_KEYS = frozenset({"packages", "exclude", "select", "ignore", "extend-select", "per-file-ignores", "roles",
                        "extend-roles"})


def _option_keys() -> dict[str, str]:
    """Config attribute -> its dotted key in `[tool.layerlint]`: "id_prefix" -> "models.id-prefix"."""
    keys: dict[str, str] = {}
    for key, spec in config_module.SCHEMA.items():
        keys[spec.attr] = key
        for child, child_spec in spec.children.items():
            keys[child_spec.attr] = f"{key}.{child}"
    return keys


OPTION_KEYS = _option_keys()


class _Recording(Config):
    """The configuration, noting which keys are read while `recording` says so."""

    def __getattribute__(self, name: str) -> Any:
        if name in OPTION_KEYS and object.__getattribute__(self, "recording"):
            object.__getattribute__(self, "read").add(OPTION_KEYS[name])
        return object.__getattribute__(self, name)


def _recording(config: Config) -> _Recording:
    recording = _Recording(**{f.name: getattr(config, f.name) for f in dataclasses.fields(Config)})
    object.__setattr__(recording, "read", set())
    object.__setattr__(recording, "recording", True)
    return recording


@contextmanager
def _roles_unrecorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The roles read the layer configuration (and the base repository) for every rule alike."""
    assign = RoleAssigner.assign

    def unrecorded(self: RoleAssigner) -> Any:
        config = self.config
        object.__setattr__(config, "recording", False)
        try:
            return assign(self)
        finally:
            object.__setattr__(config, "recording", True)

    monkeypatch.setattr(RoleAssigner, "assign", unrecorded)
    yield


@cache
def _reads() -> dict[str, tuple[dict[str, set[str]], dict[str, set[str]]]]:
    """Per rule: what it built and which keys it read, on each fixture project."""
    found: dict[str, tuple[dict[str, set[str]], dict[str, set[str]]]] = {r.code: ({}, {}) for r in RULES}
    with pytest.MonkeyPatch.context() as monkeypatch, _roles_unrecorded(monkeypatch):
        for root in ROOTS:
            config = load_config(root)
            modules = engine.load_project(config, options=NO_CACHE).modules
            for rule in RULES:
                recording = _recording(config)
                project = Project(recording, modules)
                list(rule.check(project))
                name = str(root.relative_to(root.parent.parent))
                found[rule.code][0][name] = project.built_analyses()
                found[rule.code][1][name] = object.__getattribute__(recording, "read") - LAYER_KEYS
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_a_rule_builds_only_the_analyses_it_declares(rule: Rule) -> None:
    allowed = needed_analyses(rule.analyses)
    built, _ = _reads()[rule.code]
    undeclared = {case: names - allowed for case, names in built.items() if names - allowed}
    assert not undeclared, f"{rule.code} reads analyses it does not declare: {undeclared}"
    unused = set(rule.analyses) - set().union(*built.values())
    assert not unused, f"{rule.code} declares analyses no fixture makes it read: {unused}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_a_rule_reads_only_the_options_it_declares(rule: Rule) -> None:
    _, read = _reads()[rule.code]
    undeclared = {case: keys - set(rule.options) for case, keys in read.items() if keys - set(rule.options)}
    assert not undeclared, f"{rule.code} reads configuration keys it does not declare: {undeclared}"
    unused = set(rule.options) - set().union(*read.values())
    assert not unused, f"{rule.code} declares keys no fixture makes it read: {unused}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_declared_options_are_the_documented_ones(rule: Rule) -> None:
    section = rule.docs.split("## Options", 1)[1].split("\n## ", 1)[0] if "## Options" in rule.docs else ""
    documented = {key for key in re.findall(r"`([a-z]+\.[a-z-]+)`", section) if key in OPTION_KEYS.values()}
    assert documented == set(rule.options), f"{rule.code}: `## Options` names {documented}, declared {rule.options}"


def test_declared_analyses_exist() -> None:
    derived = {IdChecks.__name__, ColumnProviders.__name__, FieldHeirs.__name__}  # the rules' own
    for rule in RULES:
        assert set(rule.analyses) <= ANALYSES.keys() | derived, rule.code


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_an_analysis_builds_only_what_it_needs(name: str) -> None:
    """What the model says each analysis reads (`needs`) is what building it reads."""
    for root in ROOTS:
        project = engine.load_project(load_config(root), options=NO_CACHE)
        getattr(project, name)
        assert project.built_analyses() <= needed_analyses([name]), (name, root)
