"""run(config, paths) -> sorted, selected, noqa-filtered diagnostics. Knows nothing of any front end."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from layerlint.core.config import Config, ConfigError
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions
from layerlint.core.roots import is_marked
from layerlint.core.selection import Selection
from layerlint.core.timings import Timings
from layerlint.project.reading.discovery import (
    Discovery,
    SourceFile,
    find_files,
    module_name_for,
    read_source,
    root_relative,
)

if TYPE_CHECKING:  # imported where needed: a run answered from the cache never loads rules or parsers
    from layerlint.cache import ProjectCache, StoredFindings
    from layerlint.project.project import Project
    from layerlint.project.reading.facts import ModuleFacts
    from layerlint.project.views.route_listing import RouteRow
    from layerlint.rules.base import Rule

T = TypeVar("T")


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    project_loader: Callable[[], Project] = field(repr=False)
    files_checked: int
    suppressed_by_noqa: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was not checked, and why
    timings: Timings = field(default_factory=Timings)

    @cached_property
    def project(self) -> Project:
        """The project the findings are about; built on first use when they came from the cache."""
        return self.project_loader()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Facts are millions of small lists that live until the run ends: collecting them only costs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def active_rules(config: Config) -> list[Rule]:
    from layerlint.rules import RULES

    selection = Selection.of(config)
    return [r for r in RULES if selection.enabled(r.code)]


def load_project(config: Config, overrides: dict[str, bytes] | None = None,
                 extra_files: Sequence[SourceFile] = (), *, options: RunOptions | None = None,
                 named: Sequence[Path] = ()) -> Project:
    """Facts for every first-party module (and those `named`); `overrides` replaces file contents
    (unsaved buffers)."""
    overrides = overrides or {}
    with gc_paused():
        files = _project_files(config, extra_files, named).files
        cache = _open_cache(config, options, [f for f in files if f.relative not in overrides])
        override_facts = _override_facts(files, overrides)
        return _from_cached_facts(cache, partial(_build_project, config, cache, override_facts, files))


def _project_files(config: Config, extra_files: Sequence[SourceFile], named: Sequence[Path] = ()) -> Discovery:
    found = find_files(config, named)
    known = {f.relative for f in found.files}
    found.files += [f for f in extra_files if f.relative not in known]
    return found


def run_options(config: Config, options: RunOptions | None) -> RunOptions:
    """`options`, without the cache when the root holds no pyproject.toml, setup.cfg, setup.py or
    .git (a loose file's directory, /etc, site-packages): layerlint never creates a directory there
    unless `--cache-dir` says where."""
    options = options or RunOptions()
    if options.use_cache and options.cache_dir is None and not is_marked(config.root):
        return replace(options, use_cache=False)
    return options


def _open_cache(config: Config, options: RunOptions | None, files: list[SourceFile]) -> ProjectCache:
    from layerlint.cache import (
        ProjectCache,  # the cache decides what must be parsed again
    )

    cache = ProjectCache(config, run_options(config, options))
    cache.refresh(files)
    return cache


def _differing(config: Config, overrides: dict[str, bytes]) -> dict[str, bytes]:
    """The buffers that differ from their file on disk: one equal to it is the file (and is cached)."""
    return {relative: data for relative, data in overrides.items() if differs_from_disk(config.root / relative, data)}


def differs_from_disk(path: Path, data: bytes | str) -> bool:
    """Whether a buffer (an editor's text, stdin) is not what the file holds on disk. Text is
    compared with the file as Python reads it (encoding cookie, BOM, universal newlines): flake8
    hands over lines read that way, and a CRLF file is still the file."""
    try:
        raw = read_source(path)
        if isinstance(data, str):
            import io
            import tokenize

            encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
            return io.TextIOWrapper(io.BytesIO(raw), encoding).read() != data
        return raw != data
    except (OSError, SyntaxError, UnicodeDecodeError):  # unreadable, or a bad coding cookie
        return True


def _override_facts(files: list[SourceFile], overrides: dict[str, bytes]) -> dict[str, ModuleFacts]:
    """Facts of the buffers handed over in place of files (an editor's unsaved text, stdin)."""
    if not overrides:
        return {}
    from layerlint.project.reading.loader import facts_from_bytes

    return {f.relative: facts_from_bytes(f, overrides[f.relative]) for f in files if f.relative in overrides}


def _build_project(config: Config, cache: ProjectCache, override_facts: dict[str, ModuleFacts],
                   files: list[SourceFile]) -> Project:
    from layerlint.project.project import Project

    if not cache.refreshed:  # the findings came from an unchanged tree: facts need the hashes
        cache.refresh(files)
    return Project.build(config, cache.facts() + list(override_facts.values()))


def run_rules(source: Project | Callable[[], Project], rules: Sequence[Rule], *, workers: int,
              modules: int, timings: Timings | None = None) -> tuple[list[Diagnostic], int]:
    """The rules' diagnostics (selected, noqa applied) and how many noqa comments suppressed;
    `source` is the project of `modules` modules, or how to build it (then worker processes
    each build their own)."""
    from layerlint.rule_pool import evaluate

    evaluation = evaluate(source, rules, workers, modules)
    if timings is not None:
        timings.rules = {rule.code: seconds for rule, seconds in zip(rules, evaluation.seconds)}
        timings.loads, timings.workers = evaluation.loads, evaluation.workers
    results = evaluation.results
    return [d for kept, _ in results for d in kept], sum(count for _, count in results)


def in_paths(config: Config, paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a root-relative path is one of `paths` or below one (no paths: the whole project)."""
    return _target_test(relative_targets(config, paths) if paths else None)


def _target_test(targets: list[str] | None) -> Callable[[str], bool]:
    """Whether a root-relative path is one of `targets` or below one (None: the whole project)."""
    if targets is None or any(target in ("", ".") for target in targets):
        return lambda path: True
    exact = set(targets)
    below = tuple(target.rstrip("/") + "/" for target in targets)
    return lambda path: path in exact or path.startswith(below)


def project_path(config: Config, path: Path) -> str | None:
    """`path` relative to the project root, as findings name it; None outside the project."""
    return root_relative(path, config.root)


def relative_targets(config: Config, paths: Sequence[Path]) -> list[str] | None:
    """Root-relative prefixes findings are restricted to; None means the whole project."""
    result: list[str] = []
    for path in paths:
        relative = root_relative(path, config.root)
        if relative is None:  # reported by discovery
            continue
        if relative == ".":
            return None
        result.append(relative)
    return result


@dataclass
class _Answer:
    """What one run knows: every finding by path (from the cache, decoded only where asked, or fresh)."""

    by_path: Callable[[str], list[Diagnostic] | None]
    paths: list[str]
    suppressed: int
    rebuild: Callable[[], Project]
    project: Project | None = None

    def in_paths(self, wanted: Callable[[str], bool]) -> list[Diagnostic] | None:
        found: list[Diagnostic] = []
        for path in self.paths:
            if wanted(path):
                decoded = self.by_path(path)
                if decoded is None:
                    return None
                found += decoded
        return found


def _answer(config: Config, overrides: dict[str, bytes], options: RunOptions | None,
            wanted: Callable[[str], bool], timings: Timings, named: Sequence[Path] = ()
            ) -> tuple[_Answer, list[Diagnostic], Discovery]:
    """The findings of the whole project (with the files `named`), and those in the paths `wanted` accepts."""
    extra = [f for f in (_source_file_for(config, p) for p in overrides) if f is not None]
    options = run_options(config, options)
    with gc_paused():
        with timings.phase("discover"):
            found = _project_files(config, extra, named)
            files = found.files
        with timings.phase("cache"):
            cache, override_facts, key, stored = _cached_findings(config, options, files, overrides)
        timings.files, timings.parsed = len(files), cache.parsed + len(override_facts)
        rebuild = partial(_build_project, config, cache, override_facts, files)
        if stored is not None:
            answer = _Answer(stored.for_path, stored.paths(), stored.suppressed, rebuild)
            shown = answer.in_paths(wanted)
            if shown is not None:  # None: an entry of the stored findings is not ours
                cache.save_manifest()
                timings.from_cache = True
                return answer, shown, found
        answer = _fresh_answer(config, cache, key, files, rebuild, timings)
    return answer, [d for path in answer.paths if wanted(path) for d in answer.by_path(path) or ()], found


def _cached_findings(config: Config, options: RunOptions | None, files: list[SourceFile], overrides: dict[str, bytes]
                     ) -> tuple[ProjectCache, dict[str, ModuleFacts], str, StoredFindings | None]:
    """The cache, the buffers' facts, the findings key and the findings stored under it, if any.
    When no file changed since the last run, its key is known from the tree's stats alone: then
    neither the manifest nor any file's facts digest is read (at 24,000 files, 0.07 s of a 0.5 s run)."""
    from layerlint.cache import ProjectCache

    cache = ProjectCache(config, options)
    tree = None if overrides else cache.tree_digest(config, files)
    key = cache.findings_key_of_tree(tree)
    stored = cache.cached_findings(key, files) if key else None
    if key and stored is not None:
        return cache, {}, key, stored
    cache.refresh([f for f in files if f.relative not in overrides])
    override_facts = _override_facts(files, overrides)
    key = cache.findings_key(config, files, {r: _digest(f) for r, f in override_facts.items()})
    cache.remember_tree(tree, key)
    return cache, override_facts, key, cache.cached_findings(key, files)


def _fresh_answer(config: Config, cache: ProjectCache, key: str, files: list[SourceFile],
                  rebuild: Callable[[], Project], timings: Timings) -> _Answer:
    """Run the rules, and store what they found under `key`."""
    rules = active_rules(config)

    def evaluate() -> tuple[Project | None, list[Diagnostic], int]:
        project, source = _rule_source(cache, files, rules, rebuild)
        return project, *run_rules(source, rules, workers=cache.workers, modules=len(files), timings=timings)

    with timings.phase("rules"):
        project, diagnostics, noqa_count = _from_cached_facts(cache, evaluate)
    with timings.phase("save"):
        cache.save_findings(key, diagnostics, noqa_count)
    grouped: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(diagnostic.path, []).append(diagnostic)
    return _Answer(lambda path: grouped.get(path, []), list(grouped), noqa_count, rebuild, project)


def _from_cached_facts(cache: ProjectCache, action: Callable[[], T]) -> T:
    """`action` over facts read from the cache; when it raises, once more over facts parsed from
    source: a tampered cache entry that passed the shape check may break a rule, and must not
    on every later run. A failure with facts from source is a bug, and propagates."""
    try:
        return action()
    except ConfigError:  # the configuration's fault, whatever the facts
        raise
    except Exception:
        if not cache.distrust_facts():
            raise
        return action()


def _rule_source(cache: ProjectCache, files: list[SourceFile], rules: list[Rule],
                 rebuild: Callable[[], Project]) -> tuple[Project | None, Project | Callable[[], Project]]:
    """The project for the rules, or, when they run in forked workers, how each worker builds it:
    then the workers decode the facts at the same time and this process never does (see rule_pool)."""
    from layerlint.rule_pool import forks

    if forks(rules, cache.workers, len(files)):
        if not cache.refreshed:  # the unchanged tree's findings were tampered with: hash here, once
            cache.refresh(files)
        cache.save_manifest()  # before forking: workers must not each write it
        return None, rebuild
    project = rebuild()
    return project, project


def check(config: Config, paths: Sequence[Path] = (), overrides: dict[str, bytes] | None = None, *,
          options: RunOptions | None = None) -> CheckResult:
    """Findings of the whole project, shown for `paths`; answered from the cache when nothing changed."""
    overrides = _differing(config, overrides or {})
    targets = relative_targets(config, paths) if paths else None
    timings = Timings()
    answer, shown, found = _answer(config, overrides, options, _target_test(targets), timings, paths)
    result = CheckResult(sorted(shown, key=Diagnostic.sort_key), answer.rebuild,
                         _files_checked(found.files, overrides, targets), answer.suppressed,
                         warnings=found.warnings, timings=timings)
    if not result.files_checked:
        result.warnings.append(f"no files were checked (project root: {config.root})")
    if answer.project is not None:
        result.project = answer.project
    return result


def findings_by_path(config: Config, *, options: RunOptions | None = None) -> Callable[[str], list[Diagnostic]]:
    """Every finding of the project as it is on disk, for one root-relative path at a time (the
    editor plugins' question: a cached run decodes only the files they ask about)."""
    # Only the findings are kept: the run's files, stats and hashes are freed now, not left for
    # the collector to walk in the host's process (in flake8 at 1M lines that cost 0.2 s at exit).
    by_path = _answer(config, {}, options, lambda path: False, Timings())[0].by_path

    def lookup(path: str) -> list[Diagnostic]:
        found = by_path(path)
        if found is None:  # a tampered entry in the cache: decode all of it, or check again
            found = _answer(config, {}, options, lambda other: other == path, Timings())[1]
        return sorted(found, key=Diagnostic.sort_key)

    return lookup


def _digest(facts: ModuleFacts) -> str:
    from layerlint.cache import digest_of

    return digest_of(facts)


def _files_checked(files: list[SourceFile], overrides: dict[str, bytes], targets: list[str] | None) -> int:
    """Modules in the targets, each name once: the first file wins, as in `Project.build`."""
    paths: dict[str, str] = {}
    for source in sorted(files, key=lambda f: f.relative in overrides) if overrides else files:
        paths.setdefault(source.module, source.relative)
    wanted = _target_test(targets)
    return sum(1 for path in paths.values() if wanted(path))


def _source_file_for(config: Config, relative: str) -> SourceFile | None:
    named = module_name_for(config.root / relative, config)
    if named is None:
        return None
    return SourceFile(str(config.root / relative), relative, named[0], named[1])


def notes(project: Project) -> list[str]:
    """What the user should know about the project beyond findings (`layerlint roles` prints them)."""
    from layerlint.rules.notes import project_notes

    return project_notes(project)


def routes(project: Project) -> list[RouteRow]:
    """Every route as layerlint understands it (`layerlint routes` prints them)."""
    from layerlint.project.views.route_listing import route_rows

    return route_rows(project)
