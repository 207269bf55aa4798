"""check(config, paths) -> sorted, selected, noqa-filtered diagnostics. Knows nothing of any front end.

A check runs in stages, each a phase of `--timings`:

    discover   the project's files (and the buffers handed over in place of files)
    refresh    what changed since the last run: the tree's stats alone when nothing did, else
               each file's stat and content hash; what changed is parsed (cache/)
    key        the findings key: the configuration and every module's facts digest
    answer     the findings stored under that key, decoded only for the paths asked about;
    or load    the project built from the facts
       keys    each module's import closure key (cache/module_findings.py), and the findings
               stored under the closure keys that did not change
       evaluate the rules run, all at once (rule_pool): a group of rules on the modules whose
               closure key changed, or on all when a whole analysis it reads changed (known
               where the analysis is built); the rules no module's key decides over the whole
               project. On a first run (no module has findings stored) the closure keys are
               found meanwhile
    save       the findings, per module and under the run's key
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from layerlint.buffers import buffer_facts, differing
from layerlint.buffers import source_files as buffer_sources
from layerlint.core.config import Config, ConfigError
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions
from layerlint.core.records import field, record
from layerlint.core.roots import is_marked
from layerlint.core.selection import Selection, severity_of
from layerlint.core.timings import Timings
from layerlint.project.reading.discovery import (
    Discovery,
    SourceFile,
    find_files,
    root_relative,
)

if TYPE_CHECKING:  # imported where needed: a run answered from the cache never loads rules or parsers
    from layerlint.cache import ProjectCache, StoredFindings
    from layerlint.cache.module_findings import ModuleEntry, Stored
    from layerlint.project.project import Project
    from layerlint.project.reading.facts import ModuleFacts
    from layerlint.rule_pool import Digests, Evaluation, RuleResult
    from layerlint.rules.base import Rule

T = TypeVar("T")


@record
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
    """The rules the configuration selects; a configured code that selects no rule (`LL999`) is an
    error, as in ruff. Checked where the rules are loaded: a run answered from the cache had the
    same configuration checked when its findings were stored."""
    from layerlint.rules import RULES

    for key, codes in config.keyed_codes():
        problem = next(filter(None, map(selector_problem, codes)), None)
        if problem:
            raise ConfigError(config.file, key, problem)
    selection = Selection.of(config)
    return [r for r in RULES if selection.enabled(r.code)]


def selector_problem(code: str) -> str | None:
    """Why a code or prefix given to select or ignore selects no rule, or None when it selects one."""
    import difflib

    from layerlint.rules import RULES

    if code.upper() == "ALL" or any(r.code.startswith(code.upper()) for r in RULES):
        return None
    codes = {r.name: r.code for r in RULES}
    if code.lower() in codes:
        return f"`{code.lower()}` is a rule name; select it by its code, {codes[code.lower()]}"
    close = [f"{codes[name]} ({name})" for name in difflib.get_close_matches(code.lower(), list(codes), n=3)]
    close += difflib.get_close_matches(code.upper(), list(codes.values()), n=3, cutoff=0.8)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"`{code}` selects no rule{hint}; `layerlint rules` lists them"


def load_project(config: Config, overrides: dict[str, bytes] | None = None,
                 extra_files: Sequence[SourceFile] = (), *, options: RunOptions | None = None,
                 named: Sequence[Path] = ()) -> Project:
    """Facts for every first-party module (and those `named`); `overrides` replaces file contents
    (unsaved buffers)."""
    overrides = overrides or {}
    with gc_paused():
        files = _project_files(config, extra_files, named).files
        cache = _open_cache(config, options, [f for f in files if f.relative not in overrides])
        return _from_cached_facts(cache, partial(_build_project, config, cache, buffer_facts(files, overrides), files))


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


def _build_project(config: Config, cache: ProjectCache, override_facts: dict[str, ModuleFacts],
                   files: list[SourceFile]) -> Project:
    from layerlint.project.project import Project

    if not cache.refreshed:  # the findings came from an unchanged tree: facts need the hashes
        cache.refresh(files)
    return Project.build(config, cache.modules(list(override_facts.values())))


def run_rules(project: Project, rules: Sequence[Rule], *, workers: int,
              modules: int, timings: Timings | None = None) -> tuple[list[Diagnostic], int]:
    """The rules' diagnostics (selected, noqa applied) and how many noqa comments suppressed,
    over the project of `modules` modules."""
    diagnostics, suppressed = _run_counted(project, rules, workers, modules, timings)
    return diagnostics, suppressed.total()


def _run_counted(project: Project, rules: Sequence[Rule], workers: int, modules: int,
                 timings: Timings | None = None) -> tuple[list[Diagnostic], Counter[str]]:
    """`run_rules`, with what noqa comments suppressed counted by path."""
    return _counted(_pooled(project, rules, workers, modules, timings).results)


def _pooled(project: Project, rules: Sequence[Rule], workers: int, modules: int, timings: Timings | None,
            digests: Digests | None = None, meanwhile: Callable[[], None] | None = None) -> Evaluation:
    """The rule pool's evaluation, its figures added to `timings`."""
    from layerlint.rule_pool import evaluate

    evaluation = evaluate(project, rules, workers, modules, digests, meanwhile)
    if timings is not None:
        timings.rules.update({rule.code: seconds for rule, seconds in zip(rules, evaluation.seconds)})
        timings.workers = max(timings.workers, evaluation.workers)
    return evaluation


def _counted(results: Sequence[RuleResult]) -> tuple[list[Diagnostic], Counter[str]]:
    return [d for kept, _ in results for d in kept], sum((count for _, count in results), Counter())


def in_paths(config: Config, paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a root-relative path is one of `paths` or below one (no paths: the whole project)."""
    return _target_test(relative_targets(config, paths) if paths else None)


def listed_project(config: Config, named: Sequence[Path]) -> tuple[Project, Callable[[str], bool]]:
    """A project as `roles` and `routes` list it, with the test of which of its modules are under
    the paths `named` (every module, when none are)."""
    project = load_project(config, named=named)
    return project, modules_in(config, project, named)


def modules_in(config: Config, project: Project, paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a module's file is one of `paths` or below one (no paths: every module), for the
    listings (`roles`, `routes`), which load the whole project and show a part."""
    wanted = in_paths(config, paths)

    def shown(module: str) -> bool:
        facts = project.modules.get(module)
        return facts is not None and wanted(facts.path)
    return shown


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


@record
class _Answer:
    """What one run knows: every finding by path (from the cache, decoded only where asked, or fresh)."""

    by_path: Callable[[str], list[Diagnostic] | None]
    paths: list[str]
    suppressed: int
    rebuild: Callable[[], Project]
    project: Project | None = None
    warnings: tuple[str, ...] = ()  # e.g. a `# noqa` code that names no rule

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
            wanted: Callable[[str], bool], timings: Timings, named: Sequence[Path] = (), *,
            only: Callable[[str], bool] | None = None) -> tuple[_Answer, list[Diagnostic], Discovery]:
    """The findings of the whole project (with the files `named`), and those in the paths `wanted`
    accepts. With `only`, a run that cannot be answered from the stored findings checks the
    modules `only` accepts and leaves the others' findings unknown (see `_per_module`)."""
    from layerlint.cache import ProjectCache

    options = run_options(config, options)
    with gc_paused():
        with timings.phase("discover"):
            found = _project_files(config, buffer_sources(config, overrides), named)
            files = found.files
        if options.progress is not None:
            options.progress(len(files))
        cache = ProjectCache(config, options)
        with timings.phase("refresh"):
            tree, key, stored, facts_of_buffers = _refresh(config, cache, files, overrides)
        buffer_digests = {r: _digest(f) for r, f in facts_of_buffers.items()}
        with timings.phase("key"):
            if stored is None:
                key = cache.findings_key(config, files, buffer_digests)
                cache.tree.remember(tree, key)
                stored = cache.findings.stored(key, files)
        timings.files, timings.parsed = len(files), cache.parsed + len(facts_of_buffers)
        rebuild = partial(_build_project, config, cache, facts_of_buffers, files)
        asked_paths = None if only is None else frozenset(source.relative for source in files if only(source.relative))
        if stored is not None and stored.covers(asked_paths):
            with timings.phase("answer"):
                answer = _Answer(stored.for_path, stored.paths(), stored.suppressed, rebuild,
                                 warnings=stored.warnings)
                shown = answer.in_paths(wanted)
            if shown is not None:  # None: an entry of the stored findings is not ours
                cache.save_manifest()
                timings.from_cache = True
                return answer, shown, found
        assert key is not None
        answer = _fresh_answer(config, cache, key, rebuild, timings,
                               lambda relative: buffer_digests.get(relative) or cache.manifest.digest_of(relative),
                               asked_paths)
    return answer, [d for path in answer.paths if wanted(path) for d in answer.by_path(path) or ()], found


def _refresh(config: Config, cache: ProjectCache, files: list[SourceFile], overrides: dict[str, bytes]
             ) -> tuple[str | None, str | None, StoredFindings | None, dict[str, ModuleFacts]]:
    """The tree's digest; and when no file changed since a run whose findings are stored, its
    findings key and findings, known from the tree's stats alone (then neither the manifest nor
    any file's facts digest is read: at 24,000 files, 0.07 s of a 0.5 s run). Otherwise every
    file's content hash is made known, what changed is parsed, and so are the buffers."""
    tree = None if overrides else cache.tree.digest(config, files)
    key = cache.tree.findings_key(tree)
    stored = cache.findings.stored(key, files) if key else None
    if stored is not None:
        return tree, key, stored, {}
    cache.refresh([f for f in files if f.relative not in overrides])
    return tree, None, None, buffer_facts(files, overrides)


def _fresh_answer(config: Config, cache: ProjectCache, key: str, rebuild: Callable[[], Project], timings: Timings,
                  digest_of: Callable[[str], str], asked: frozenset[str] | None = None) -> _Answer:
    """Run the rules (or reuse each module's stored findings where its key is unchanged), and
    store what they found under `key`; with the paths `asked`, what they found in those paths,
    stored as covering those paths alone."""
    rules = active_rules(config)

    def evaluate() -> tuple[Project, list[Diagnostic], int, bool]:
        with timings.phase("load"):
            project = rebuild()  # once: rule workers fork with it (see rule_pool)
            project.decode_all()  # here, not in each worker: every rule reads every module
        return project, *_evaluate(project, rules, cache, digest_of, timings, asked)

    project, diagnostics, noqa_count, whole = _from_cached_facts(cache, evaluate)
    warnings = tuple(noqa_warnings(project))
    with timings.phase("save"):
        cache.findings.save(key, diagnostics, noqa_count, warnings, None if whole else asked)
    grouped: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(diagnostic.path, []).append(diagnostic)
    return _Answer(lambda path: grouped.get(path, []), list(grouped), noqa_count, rebuild, project, warnings)


def _evaluate(project: Project, rules: Sequence[Rule], cache: ProjectCache, digest_of: Callable[[str], str],
              timings: Timings, asked: frozenset[str] | None = None) -> tuple[list[Diagnostic], int, bool]:
    """Every rule's findings and the noqa count, and whether they are the whole project's. With a
    cache, the rules whose findings in a module its import closure and the whole analyses they
    read decide (`Rule.whole_inputs`) run only on the modules whose key changed, and with the
    paths `asked` on those of them in these paths (`_per_module`); the others run over the whole project."""
    workers, modules = cache.workers, len(project.modules)
    if cache.directory is None:
        with timings.phase("evaluate"):
            return *run_rules(project, rules, workers=workers, modules=modules, timings=timings), True
    return _per_module(project, rules, cache, digest_of, timings, asked)


def _with_stored(diagnostics: list[Diagnostic], suppressed: int,
                 found: dict[tuple[str, tuple[str, ...]], Stored]) -> tuple[list[Diagnostic], int]:
    """The whole rules' findings and noqa count with the keyed rules' per-module ones added."""
    return diagnostics + [d for stored in found.values() for d in stored.findings], \
        suppressed + sum(stored.suppressed for stored in found.values())


def _inputs(prints: Mapping[str, str], group: tuple[str, ...]) -> str:
    """What a group's findings in a module depend on beside its closure: the fingerprints of the
    whole analyses the group reads."""
    return "".join(prints[name] for name in group)


def _groups(rules: Sequence[Rule]) -> dict[tuple[str, ...], list[Rule]]:
    """The rules keyed per module, by the whole analyses they read (the rules that run whole left out)."""
    groups: dict[tuple[str, ...], list[Rule]] = {}
    for rule in rules:
        if rule.whole_inputs is not None:
            groups.setdefault(rule.whole_inputs, []).append(rule)
    return groups


def _per_module(project: Project, rules: Sequence[Rule], cache: ProjectCache, digest_of: Callable[[str], str],
                timings: Timings, asked_paths: frozenset[str] | None = None) -> tuple[list[Diagnostic], int, bool]:
    """`_evaluate` with the per-module findings store: every rule runs once, in one pool. A rule keyed
    by whole analyses (`Rule.whole_inputs`) runs only on the modules whose stored findings of its
    group do not hold: those whose import closure changed, or every module when a whole analysis the
    group reads changed. Whether one did is known in the worker that builds it for its rules, which
    digests it there (at 1M lines, building and digesting them in this process before any rule ran
    was 4 s of a 10 s run after an edit, on one core). On a first run nothing is stored: the import
    closures are found in this process while the workers run.

    With `asked_paths` (`layerlint check` of some paths, as pre-commit runs it with the files
    changed), a keyed rule runs on the modules of those paths alone; the other modules whose stored findings
    do not hold are left unchecked and stored without findings, so the next run checks them.
    Their findings are correct for the same reason the stored ones of a module are: a keyed rule's
    findings in a module are decided by its closure and the whole analyses (test_module_locality)."""
    from layerlint.cache.module_findings import closure_keys, fingerprints, grouped, visible
    from layerlint.rule_pool import Digests

    store, groups = cache.module_findings, _groups(rules)
    asked = _modules_in(project, asked_paths)
    first_run = not store.holds_any(facts.path for facts in project.modules.values())
    kept = project.kept = cache.kept(digest_of)
    with timings.phase("keys"):
        roles = {name: repr(role) for name, role in project.roles.items()}  # read by most rules: built before forking
    closure: dict[str, str] = {}
    entries: dict[str, ModuleEntry] = {}

    def find_closures() -> None:
        entries.update(visible(store.entries(project.modules.values(), digest_of)))
        closure.update(closure_keys(entries, roles, cache.module_salt(project.config)))

    held_in: dict[tuple[str, ...], dict[str, Stored]] = {}  # by group, module -> its stored findings that hold
    if not first_run:
        with timings.phase("keys"):
            find_closures()
            modules = [(name, facts.path, closure[name]) for name, facts in project.modules.items()]
            held_in = {group: store.held(group, modules) for group in groups}

    def digests(built: Project, names: Sequence[str]) -> dict[str, str]:
        return fingerprints({name: getattr(built, name) for name in names}, built.modules.values(), digest_of)

    stale_in: dict[tuple[str, ...], frozenset[str]] = {}  # by group, the modules not held: once per process

    def focus(rule: Rule, digested: Mapping[str, str]) -> frozenset[str] | None:
        group = rule.whole_inputs
        if group is None:
            return None
        if _inputs(digested, group) != store.inputs(group) or not (held := held_in.get(group)):
            return asked
        if group not in stale_in:
            stale_in[group] = frozenset(name for name in project.modules if name not in held
                                        and (asked is None or name in asked))
        return stale_in[group]

    with timings.phase("evaluate"):
        evaluation = _pooled(project, rules, cache.workers, len(project.modules), timings,
                             Digests(sorted({name for group in groups for name in group}), digests, focus),
                             find_closures if first_run else None)
    result_of = {id(rule): result for rule, result in zip(rules, evaluation.results)}
    found: dict[tuple[str, tuple[str, ...]], Stored] = {}
    inputs = {group: _inputs(evaluation.digests, group) for group in groups}
    for group, members in groups.items():
        held = held_in.get(group, {}) if inputs[group] == store.inputs(group) else {}
        stale = [facts.path for name, facts in project.modules.items()
                 if name not in held and (asked is None or name in asked)]
        fresh, counts = _counted([result_of[id(rule)] for rule in members])
        found.update({(path, group): entry for path, entry in grouped(fresh, counts, stale).items()})
        found.update({(project.modules[name].path, group): entry for name, entry in held.items()})
        timings.rechecked[group] = len(stale)
    with timings.phase("save"):
        store.save(entries, closure, inputs, found)
        kept.save(facts.path for facts in project.modules.values())
    diagnostics, suppressed = _counted([result for rule, result in zip(rules, evaluation.results)
                                        if rule.whole_inputs is None])
    return *_with_stored(diagnostics, suppressed.total(), found), asked is None


def _modules_in(project: Project, paths: frozenset[str] | None) -> frozenset[str] | None:
    """The modules of these paths; None when that is every module."""
    if paths is None:
        return None
    asked = frozenset(name for name, facts in project.modules.items() if facts.path in paths)
    return None if len(asked) == len(project.modules) else asked


def noqa_warnings(project: Project) -> list[str]:
    """A `# noqa: LL...` code that selects no rule suppresses nothing: a typo (ruff warns too)."""
    from layerlint.core.noqa import unknown_codes
    from layerlint.rules import RULES

    known = frozenset(rule.code for rule in RULES)
    return [f"{path}:{line}: `# noqa: {code}` names no rule (`layerlint rules` lists them)"
            for path, noqa in sorted(project.noqa_by_path.items()) for line, code in unknown_codes(noqa, known)]


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


def check(config: Config, paths: Sequence[Path] = (), overrides: dict[str, bytes] | None = None, *,
          options: RunOptions | None = None) -> CheckResult:
    """Findings of the whole project, shown for `paths`; answered from the cache when nothing
    changed. A run for some paths that the cache cannot answer runs the keyed rules on their
    modules alone (`_per_module`)."""
    overrides = differing(config, overrides or {})
    targets = relative_targets(config, paths) if paths else None
    timings = Timings()
    wanted = _target_test(targets)
    answer, shown, found = _answer(config, overrides, options, wanted, timings, paths, only=wanted if targets else None)
    result = CheckResult(with_severities(config, sorted(shown, key=Diagnostic.sort_key)), answer.rebuild,
                         _files_checked(found.files, overrides, targets), answer.suppressed,
                         warnings=found.warnings + list(answer.warnings), timings=timings)
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
        return with_severities(config, sorted(found, key=Diagnostic.sort_key))

    return lookup


def with_severities(config: Config, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The findings at the severities `[tool.layerlint.severity]` gives. Stored findings keep their
    rule's default, so changing a severity never makes a run check again."""
    if not config.severities:
        return diagnostics
    return [replace(d, severity=severity_of(d.code, d.severity, config.severities)) for d in diagnostics]


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


def files_to_check(config: Config, paths: Sequence[Path] = ()) -> tuple[list[str], list[str]]:
    """The root-relative files a check of `paths` reports on (`--show-files`), and the warnings
    about what it would not check."""
    found = _project_files(config, (), paths)
    wanted = in_paths(config, paths)
    return [f.relative for f in found.files if wanted(f.relative)], found.warnings
