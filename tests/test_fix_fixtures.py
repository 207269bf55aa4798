"""Fix fixtures: tests/fixtures/fix/<rule>/<case>/ is a small project; each `x.py` with a sibling
`x.fixed.py` must become exactly that after `--fix` (`--unsafe-fixes` too when the case's name
starts with `unsafe`), every other file must stay as it is. In a `display*` case the fixes are
display-only: `--fix --unsafe-fixes` must change nothing, and `x.fixed.py` is what following
the guidance (applying the displayed edits) gives.

As ruff checks its fixes, four things are held: the output, that a second `--fix` changes
nothing, that every file still parses, and that the rule fires after the fix only on lines that
say so with a `# still: LLnnn` comment (a case the fixer must leave alone). Before the fix, the
rule must fire on more lines than those, or the case would test nothing.
"""

from __future__ import annotations

import ast
import difflib
import re
import shutil
from pathlib import Path

import pytest

from harness import FIXTURES, NO_CACHE
from layerlint import engine
from layerlint.core.config import Config, load_config
from layerlint.core.fix import Applicability, Fix, apply_edits
from layerlint.fixing import MAX_PASSES, fix_project, with_fixes

FIX_FIXTURES = FIXTURES / "fix"
CASES = sorted(p.parent for p in FIX_FIXTURES.glob("ll*/*/pyproject.toml"))
STILL = re.compile(r"#.*\bstill: (LL\d{3})")


def copy_case(case: Path, destination: Path) -> Path:
    project = destination / case.name
    shutil.copytree(case, project, ignore=shutil.ignore_patterns("*.fixed.py", "__pycache__", ".layerlint_cache"))
    return project


def config_of(project: Path, code: str) -> Config:
    return load_config(project).with_selection((code,), ())


def findings(config: Config, code: str) -> set[tuple[str, int]]:
    return {(d.path, d.line) for d in engine.check(config, options=NO_CACHE).diagnostics if d.code == code}


def still_lines(project: Path, code: str) -> set[tuple[str, int]]:
    return {(path.relative_to(project).as_posix(), number)
            for path in project.rglob("*.py")
            for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
            if (match := STILL.search(line)) and match.group(1) == code}


def expected_files(case: Path) -> dict[str, str]:
    expected: dict[str, str] = {}
    for path in case.rglob("*.py"):
        if path.name.endswith(".fixed.py"):
            continue
        fixed = path.with_name(path.name[:-3] + ".fixed.py")
        expected[path.relative_to(case).as_posix()] = (fixed if fixed.exists() else path).read_text("utf-8")
    return expected


def apply_displayed(config: Config, code: str) -> None:
    """What a user following the display-only guidance gets: the displayed fixes applied, those
    that overlap (two fixes adding one import) in a later pass, as `--fix` would."""
    for _ in range(MAX_PASSES):
        taken: dict[str, list[Fix]] = {}
        for diagnostic in with_fixes(config, engine.check(config, options=NO_CACHE).diagnostics):
            fix = diagnostic.fix
            if fix is None or diagnostic.code != code:
                continue
            assert fix.applicability is Applicability.DISPLAY_ONLY
            chosen = taken.setdefault(diagnostic.path, [])
            if not any(fix.overlaps(other) for other in chosen):
                chosen.append(fix)
        if not taken:
            return
        for path, fixes in taken.items():
            target = config.root / path
            target.write_text(apply_edits(target.read_text("utf-8"), [e for f in fixes for e in f.edits]), "utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIX_FIXTURES).as_posix() for c in CASES])
def test_fix_fixture(case: Path, tmp_path: Path) -> None:
    code, unsafe = case.parent.name.upper(), case.name.startswith(("unsafe", "display"))
    project = copy_case(case, tmp_path)
    config = config_of(project, code)
    before = findings(config, code)
    assert before - still_lines(project, code), f"{code} finds nothing to fix in {case.name}"

    outcome = fix_project(config, unsafe=unsafe, options=NO_CACHE)
    if case.name.startswith("display"):
        assert not outcome.changed() and outcome.fixed_count == 0
        apply_displayed(config, code)

    for relative, text in expected_files(case).items():
        actual = (project / relative).read_text("utf-8")
        diff = "".join(difflib.unified_diff(text.splitlines(True), actual.splitlines(True), "expected", "fixed"))
        assert actual == text, f"{relative}:\n{diff}"
        ast.parse(actual, relative)
    assert findings(config, code) == still_lines(project, code)
    again = fix_project(config, unsafe=unsafe, options=NO_CACHE)
    assert not again.changed() and again.fixed_count == 0


def test_every_fixer_has_a_fixture_and_its_rule_documents_fix_safety() -> None:
    from layerlint.fixers import FIXERS
    from layerlint.rules import RULES_BY_CODE

    for code in FIXERS:
        assert any(case.parent.name == code.lower() for case in CASES), f"{code} has no fix fixture"
        assert "## Fix safety" in RULES_BY_CODE[code].docs, f"{code}'s docs say nothing of its fix"


def test_fixes_printed_statement_by_statement_equal_the_whole_module_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix prints only the top-level statement it changes (and the imports it adds), and finds
    its nodes by the lines Python's parser gives: the edits must be those of printing the whole
    rewritten module with the nodes found by libcst's positions, on every fixture's findings."""
    from layerlint.fixers import base
    from layerlint.fixers.base import FixSite

    cases = [(case.parent.name.upper(), copy_case(case, tmp_path / case.parent.name)) for case in CASES]
    diagnostics = [(config_of(project, code), engine.check(config_of(project, code), options=NO_CACHE).diagnostics)
                   for code, project in cases]
    by_statement = [with_fixes(config, found) for config, found in diagnostics]
    monkeypatch.setattr(FixSite, "_edits_in_statement", lambda *args: None)
    monkeypatch.setattr(base, "_ast_lines", lambda text: None)
    whole = [with_fixes(config, found) for config, found in diagnostics]
    assert by_statement == whole
    assert sum(d.fix is not None for found in whole for d in found) > 30
