"""Rules that read only closure-local analyses (Rule.local) find the same in a module whether the
whole project is loaded or only the module's import closure: what a per-module findings key
built over the closure's facts needs to hold (issue 15). Checked on every fixture."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from harness import NO_CACHE, FixtureProject, fixture_projects

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.project.project import Project
from layerlint.rules import RULES
from layerlint.rules.base import Rule

LOCAL = [rule for rule in RULES if rule.local]


def import_closure(project: Project, module: str) -> set[str]:
    """`module`, every project module it imports (transitively, at any level: in functions and
    under TYPE_CHECKING too), and the packages above each."""
    edges = {name: {edge.imported for edge in found} for name, found in project.graph.edges_from.items()}
    found: set[str] = set()
    pending = [module]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending.extend(edges.get(name, ()))
        parts = name.split(".")
        pending.extend(parent for i in range(1, len(parts)) if (parent := ".".join(parts[:i])) in project.modules)
    return found


def findings(project: Project, rules: Iterable[Rule]) -> list[tuple[str, int, int, str, str]]:
    found: list[Diagnostic] = [rule.diagnostic(f) for rule in rules for f in rule.check(project)]
    return sorted((d.path, d.line, d.column, d.code, d.message) for d in found)


def test_some_rules_are_local_and_some_are_not() -> None:
    assert {rule.code for rule in LOCAL} >= {"LL101", "LL103", "LL701"}
    assert not {rule.code for rule in LOCAL} & {"LL207", "LL305", "LL201"}  # the route table, duplicates


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_a_local_rule_finds_in_a_module_what_its_closure_shows(case: FixtureProject) -> None:
    config = load_config(case.root)
    whole = engine.load_project(config, options=NO_CACHE)
    expected = findings(whole, LOCAL)
    for name, facts in whole.modules.items():
        closure = import_closure(whole, name)
        part = Project(config, {m: f for m, f in whole.modules.items() if m in closure})
        # Roles are decided once over the whole project (configured globs must each match some
        # module; a package's content corrects a guess by name), so a per-module key takes the
        # role assignment as an input; what is local is everything a rule derives from it.
        part.__dict__["roles"] = {m: role for m, role in whole.roles.items() if m in closure}
        here = [row for row in findings(part, LOCAL) if row[0] == facts.path]
        assert here == [row for row in expected if row[0] == facts.path], f"{name} with its closure {sorted(closure)}"


KEYED = [rule for rule in RULES if not rule.local and rule.whole_inputs is not None]


def test_rules_keyed_by_whole_analyses_are_the_module_scope_ones_that_read_no_call_sites() -> None:
    assert {rule.code for rule in KEYED} >= {"LL201", "LL202", "LL203", "LL401", "LL703"}
    assert not {rule.code for rule in KEYED} & {"LL207", "LL302", "LL305"}  # project scope; rule-defined


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_a_keyed_rule_finds_in_a_module_what_its_closure_and_whole_inputs_show(case: FixtureProject) -> None:
    """What the check cache's per-module key holds for the other module-scope rules: a module's
    findings are decided by its import closure, the roles and the whole analyses the rule reads
    (`Rule.whole_inputs`), each given as the whole project has it."""
    config = load_config(case.root)
    whole = engine.load_project(config, options=NO_CACHE)
    for rule in KEYED:
        expected = findings(whole, [rule])
        inputs = rule.whole_inputs or ()
        for name, facts in whole.modules.items():
            closure = import_closure(whole, name)
            part = Project(config, {m: f for m, f in whole.modules.items() if m in closure})
            part.__dict__["roles"] = {m: role for m, role in whole.roles.items() if m in closure}
            for analysis in inputs:
                part.__dict__[analysis] = getattr(whole, analysis)
            here = [row for row in findings(part, [rule]) if row[0] == facts.path]
            assert here == [row for row in expected if row[0] == facts.path], \
                f"{rule.code} in {name} with its closure {sorted(closure)} and {inputs}"
