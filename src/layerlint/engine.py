"""run(config, paths) -> sorted, selected, noqa-filtered diagnostics. Knows nothing of any front end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.noqa import suppressed
from layerlint.core.selection import Selection
from layerlint.project.discovery import SourceFile, discover, module_name_for
from layerlint.project.facts import ModuleFacts
from layerlint.project.loader import facts_from_bytes
from layerlint.project.project import Project
from layerlint.rules import RULES
from layerlint.rules.base import Rule


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    project: Project
    files_checked: int
    suppressed_by_noqa: int = 0
    notes: list[str] = field(default_factory=list)


def selection_of(config: Config) -> Selection:
    return Selection(config.select + config.extend_select, config.ignore, config.per_file_ignores)


def active_rules(config: Config) -> list[Rule]:
    selection = selection_of(config)
    return [r for r in RULES if selection.enabled(r.code)]


def load_project(config: Config, overrides: dict[str, bytes] | None = None,
                 extra_files: Sequence[SourceFile] = ()) -> Project:
    """Facts for every first-party module; `overrides` replaces file contents (unsaved buffers)."""
    from layerlint.cache import load_all_facts  # the cache decides what must be parsed again

    files = list(discover(config))
    known = {f.relative for f in files}
    files += [f for f in extra_files if f.relative not in known]
    facts: list[ModuleFacts] = load_all_facts(config, [f for f in files if f.relative not in (overrides or {})])
    for source_file in files:
        if overrides and source_file.relative in overrides:
            facts.append(facts_from_bytes(source_file, overrides[source_file.relative]))
    return Project.build(config, facts)


def run_rules(project: Project, rules: Iterable[Rule]) -> list[Diagnostic]:
    selection = selection_of(project.config)
    found: list[Diagnostic] = []
    for current in rules:
        for finding in current.check(project):
            diagnostic = current.diagnostic(finding)
            if selection.enabled_in(diagnostic.code, diagnostic.path):
                found.append(diagnostic)
    return found


def apply_noqa(project: Project, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], int]:
    by_path = {facts.path: facts for facts in project.modules.values()}
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        facts = by_path.get(diagnostic.path)
        codes = facts.noqa.get(diagnostic.line) if facts else None
        if not suppressed(diagnostic.code, tuple(codes) if codes is not None else None):
            kept.append(diagnostic)
    return kept, len(diagnostics) - len(kept)


def _in_targets(path: str, targets: list[str] | None) -> bool:
    if targets is None:
        return True
    return any(target in ("", ".") or path == target or path.startswith(target.rstrip("/") + "/")
               for target in targets)


def relative_targets(config: Config, paths: Sequence[Path]) -> list[str] | None:
    """Root-relative prefixes findings are restricted to; None means the whole project."""
    result: list[str] = []
    for path in paths:
        resolved = path.resolve()
        try:
            relative = resolved.relative_to(config.root).as_posix()
        except ValueError:
            continue
        if relative == ".":
            return None
        result.append(relative)
    return result


def check(config: Config, paths: Sequence[Path] = (), overrides: dict[str, bytes] | None = None) -> CheckResult:
    extra = [f for f in (_source_file_for(config, p) for p in (overrides or {})) if f is not None]
    project = load_project(config, overrides, extra)
    diagnostics = run_rules(project, active_rules(config))
    diagnostics, noqa_count = apply_noqa(project, diagnostics)
    targets = relative_targets(config, paths) if paths else None
    shown = sorted((d for d in diagnostics if _in_targets(d.path, targets)), key=Diagnostic.sort_key)
    files = sum(1 for f in project.modules.values() if _in_targets(f.path, targets))
    return CheckResult(shown, project, files, noqa_count)


def _source_file_for(config: Config, relative: str) -> SourceFile | None:
    named = module_name_for(config.root / relative, config)
    if named is None:
        return None
    return SourceFile(config.root / relative, relative, named[0], named[1])
