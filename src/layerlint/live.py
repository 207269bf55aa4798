"""A project held in memory for an editor (the language server): the facts of every file on disk,
read once, with the editor's unsaved buffers laid over them; checked again after each change.

Between checks only what changed is read again: a buffer is parsed when its text changes, a file
on disk when the editor says it changed, and the tree is walked again only when files were
created or deleted.

Findings are computed on demand, for the paths asked about (the open documents), and kept per
path until an edit can change them (`_Findings`):
- a module-scope rule reports on the modules in the project's focus only (`Project.checked`),
  with every analysis still over the whole project, so asking about one path costs that path's
  questions, not the project's;
- a local rule's findings in module M change only when a module of M's import closure changes
  (`Rule.local`): after an edit they are kept for every module whose closure does not contain an
  edited one, and all are dropped when the roles or the set of modules change;
- the other module-scope rules' findings are dropped after any change of facts, and the
  project-scope rules (which compare modules) run whole once per change.

The facts read from disk live as long as the project is held, so they are moved out of the
garbage collector's reach (`_HeldFacts`): every few edits the garbage of the last checks triggers
a full collection, which otherwise walks every one of them (on polar, 550,000 objects: an edit
took 0.67-0.75 s every fourth or fifth time instead of 0.24 s).

Knows nothing of the language server protocol: the server translates.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from layerlint import engine
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions
from layerlint.core.records import field, record
from layerlint.project.project import Project
from layerlint.project.reading.discovery import SourceFile, find_files, root_relative
from layerlint.project.reading.facts import ModuleFacts
from layerlint.project.reading.loader import facts_from_bytes, load_facts
from layerlint.rules.base import Rule, Scope


@record
class _Buffer:
    """An editor's text and the facts parsed from it (kept until the text changes)."""

    data: bytes
    facts: ModuleFacts


@record(frozen=True)
class _Snapshot:
    """A check's buffers, findings and project."""

    buffers: dict[str, bytes]
    found: dict[str, list[Diagnostic]]  # by path, for the paths asked
    project: Project
    whole: bool  # every path of the project was asked


@record
class _Pending:
    """What the editor reported since the last check, recorded from any thread."""

    changed: set[str] = field(default_factory=set)  # root-relative paths changed on disk
    rediscover: bool = False  # files were created or deleted: walk the tree again


@record
class _Findings:
    """The findings known for the project as it is now, by root-relative path: each kind kept
    for as long as an edit cannot change it (see the module's docstring)."""

    local: dict[str, list[Diagnostic]] = field(default_factory=dict)
    other: dict[str, list[Diagnostic]] = field(default_factory=dict)  # non-local module-scope rules
    project_wide: dict[str, list[Diagnostic]] | None = None  # project-scope rules, over every path

    def forget_local(self, paths: Iterable[str] | None) -> None:
        """Drop the local rules' findings in `paths` (None: everywhere)."""
        if paths is None:
            self.local.clear()
        for path in paths or ():
            self.local.pop(path, None)


@record
class _Rules:
    """The selected rules, by how far an edit can move their findings."""

    local: list[Rule]
    other: list[Rule]
    project_wide: list[Rule]

    @classmethod
    def of(cls, config: Config) -> _Rules:
        rules = engine.active_rules(config)
        module = [rule for rule in rules if rule.scope is Scope.MODULE]
        return cls([r for r in module if r.local], [r for r in module if not r.local],
                   [r for r in rules if r.scope is not Scope.MODULE])


class _HeldFacts:
    """The facts on disk frozen out of the collector's reach (`gc.freeze`) once read. Facts replaced
    since (a file saved) stay frozen, unreachable and uncollected, until they are a tenth of the
    project: then everything is unfrozen, collected once, and what lives is frozen again."""

    def __init__(self) -> None:
        self.replaced = 0

    def read_again(self, modules: int) -> None:
        """`modules` files' facts were read again; the old ones are garbage the collector cannot see."""
        self.replaced += modules

    def settle(self, held: int) -> None:
        """After a check: collect and freeze again when the facts replaced outweigh a tenth of `held`."""
        if self.replaced > max(REFREEZE_AFTER, held // 10):
            self.freeze_anew()

    def freeze_anew(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.replaced = 0


# Replaced modules' facts left frozen before a collection (a tenth of the project when larger).
REFREEZE_AFTER = 100


class LiveProject:
    """One project root and configuration, as files on disk with open buffers over them."""

    def __init__(self, config: Config, options: RunOptions | None = None, *, project: Project | None = None) -> None:
        """`project`: the project as a check just loaded it from disk, to start from (a fix run's
        later passes), instead of loading it at the first check."""
        self.config = config
        self._options = options
        # root-relative path -> file (None: a buffer the CLI would not check); None: not read yet
        self._files: dict[str, SourceFile | None] | None = None
        self._disk: dict[str, ModuleFacts] = {}  # facts of the files as they are on disk
        self._buffers: dict[str, _Buffer] = {}
        self._pending = _Pending()
        self._lock = threading.Lock()  # guards `_pending`: the editor reports while a check runs
        self._checking = threading.Lock()  # one check at a time: it updates the held facts
        self._last: _Snapshot | None = None
        # Per path, a check's findings and the same with their fixes (layerlint.fixing's to fill).
        self.fixed: dict[str, tuple[object, list[Diagnostic]]] = {}
        self._project: Project | None = None  # the project the findings below are about
        self._found = _Findings()
        self._rules: _Rules | None = None
        self.rechecked: dict[str, int] = {}  # modules the last call ran rules on, by kind (for tests)
        self._held = _HeldFacts()
        if project is not None:
            self._files = {f.relative: f for f in find_files(config).files}
            self._disk = {facts.path: facts for facts in project.modules.values()}

    def relative(self, path: Path) -> str | None:
        """`path` relative to the root, as findings name it; None outside the project."""
        return root_relative(path, self.config.root)

    def files_changed(self, paths: Iterable[str], *, created_or_deleted: bool = False) -> None:
        """Root-relative paths changed on disk since the last check; read again at the next one."""
        with self._lock:
            self._pending.changed.update(paths)
            self._pending.rediscover |= created_or_deleted

    def edited(self, buffers: Mapping[str, bytes]) -> list[str]:
        """The paths among `buffers` whose text is not the one the last check saw."""
        return [relative for relative, data in buffers.items()
                if (held := self._buffers.get(relative)) is None or held.data != data]

    def findings(self, buffers: Mapping[str, bytes], paths: Iterable[str] | None = None
                 ) -> dict[str, list[Diagnostic]]:
        """The findings in `paths` (root-relative; None: every path of the project) with `buffers`
        (root-relative path -> an editor's text) in place of their files, by root-relative path."""
        return self.snapshot(buffers, paths)[0]

    def snapshot(self, buffers: Mapping[str, bytes], paths: Iterable[str] | None = None
                 ) -> tuple[dict[str, list[Diagnostic]], Project]:
        """`findings(buffers, paths)`, and the project they are about."""
        with self._checking:
            self._catch_up()
            project = self._current(self._facts_with(buffers))
            asked = [facts.path for facts in project.modules.values()] if paths is None else list(paths)
            found = self._known(project, asked)
            self._last = _Snapshot(dict(buffers), found, project, paths is None)
            self._held.settle(len(self._disk))
            return found, project

    def latest(self, buffers: Mapping[str, bytes], paths: Iterable[str] | None = None
               ) -> tuple[dict[str, list[Diagnostic]], Project]:
        """`snapshot(buffers, paths)`; the last check's when it was over these buffers, covered
        these paths, and nothing changed on disk since (an editor asks for fixes at every move of
        the cursor)."""
        with self._lock:
            pending = bool(self._pending.changed) or self._pending.rediscover
        last, asked = self._last, None if paths is None else list(paths)
        if last is not None and not pending and last.buffers == buffers \
                and (last.whole or asked is not None and set(asked) <= last.found.keys()):
            return last.found, last.project
        return self.snapshot(buffers, asked)

    def _catch_up(self) -> None:
        """Read what changed on disk since the last check (everything at the first)."""
        with self._lock:
            pending, self._pending = self._pending, _Pending()
        if self._files is None or pending.rediscover:
            self._load()
            return
        for relative in pending.changed:
            source_file = self._files.get(relative)
            if source_file is not None:
                self._disk[relative] = load_facts(source_file)
                self._held.read_again(1)

    def load(self) -> None:
        """Read the project now (once), so that the first question is answered at an edit's cost."""
        with self._checking:
            if self._files is None:
                self._catch_up()

    @property
    def loaded(self) -> bool:
        """Whether the project has been read once (a check of it then costs what an edit reaches)."""
        return self._files is not None

    def _load(self) -> None:
        """Every file's facts, through the engine and so its on-disk cache (a warm start parses nothing)."""
        files: dict[str, SourceFile | None] = {f.relative: f for f in find_files(self.config).files}
        project = engine.load_project(self.config, options=self._options)
        self._disk = {facts.path: facts for facts in project.modules.values()}
        self._held.freeze_anew()  # the facts read before, if any, collected; these frozen
        self._files = files  # last: `loaded` says so once the facts are there

    def _facts_with(self, buffers: Mapping[str, bytes]) -> list[ModuleFacts]:
        """The facts of the project with `buffers` laid over their files (parsed only when changed)."""
        self._buffers = {relative: self._buffer(relative, data) for relative, data in buffers.items()
                         if self._source_file(relative) is not None}
        on_disk = [facts for relative, facts in self._disk.items() if relative not in self._buffers]
        return on_disk + [buffer.facts for buffer in self._buffers.values()]

    def _buffer(self, relative: str, data: bytes) -> _Buffer:
        held = self._buffers.get(relative)
        if held is not None and held.data == data:
            return held
        source_file = self._source_file(relative)
        assert source_file is not None
        return _Buffer(data, facts_from_bytes(source_file, data))

    def _source_file(self, relative: str) -> SourceFile | None:
        """The project's file at `relative`, or the file named as the CLI would check it when
        discovery does not reach it (a script beside the packages, a new unsaved module)."""
        assert self._files is not None
        if relative not in self._files:  # None when excluded or no module: not checked, as by the CLI
            named = find_files(self.config, (self.config.root / relative,)).files
            self._files[relative] = next((f for f in named if f.relative == relative), None)
        return self._files[relative]

    # ------------------------------------------------------------------ findings kept across edits

    def _current(self, facts: list[ModuleFacts]) -> Project:
        """The project of these facts: the one held when no module's facts changed; otherwise a new
        one, with the findings an edit of the changed modules can move forgotten."""
        held = self._project
        project = Project.build(self.config, facts)
        if held is not None:
            changed = _changed_modules(held.modules, project.modules)
            if not changed:
                return held
            project.carry_over(held)
            self._found.other.clear()
            self._found.project_wide = None
            self._found.forget_local(_reaching(held, project, changed))
        self._project = project
        return project

    def _known(self, project: Project, paths: list[str]) -> dict[str, list[Diagnostic]]:
        """The findings in `paths`, running each kind of rule only on the paths it has none for."""
        if self._rules is None:
            self._rules = _Rules.of(self.config)
        rules, found = self._rules, self._found
        wanted = {facts.path: name for name, facts in project.modules.items() if facts.path in set(paths)}
        self.rechecked = {}
        for kind, kept in (("local", found.local), ("other", found.other)):
            missing = [path for path in wanted if path not in kept]
            self.rechecked[kind] = len(missing)
            if missing:
                kept.update(_focused(project, getattr(rules, kind), {wanted[path]: path for path in missing}))
        if found.project_wide is None:
            found.project_wide = _grouped(engine.run_rules(project, rules.project_wide, workers=1,
                                                           modules=len(project.modules))[0])
        every = found.project_wide
        return {path: sorted(found.local.get(path, []) + found.other.get(path, []) + every.get(path, []),
                             key=Diagnostic.sort_key) for path in paths}


def _changed_modules(before: Mapping[str, ModuleFacts], after: Mapping[str, ModuleFacts]) -> set[str]:
    """Modules added, removed, or whose facts differ (the same object: unchanged, without comparing)."""
    return {name for name in before.keys() | after.keys()
            if before.get(name) is not after.get(name) and before.get(name) != after.get(name)}


def _reaching(before: Project, after: Project, changed: set[str]) -> set[str] | None:
    """The paths of the modules whose import closure contains a changed module (the changed ones
    included), whose local findings an edit of `changed` can move; None when that may be any
    module: the set of modules changed (an import's target may now exist), or a role did."""
    if before.modules.keys() != after.modules.keys() or before.roles != after.roles:
        return None
    return {after.modules[name].path for name in after.importing(changed)}


def _focused(project: Project, rules: list[Rule], paths: Mapping[str, str]) -> dict[str, list[Diagnostic]]:
    """The findings of module-scope `rules` in `paths` (module -> path), each path's list present
    even when empty: the rules report on those modules alone (the focus), every analysis still
    reads the whole project."""
    project.focus = frozenset(paths)
    try:
        diagnostics, _ = engine.run_rules(project, rules, workers=1, modules=len(paths))
    finally:
        project.focus = None
    found: dict[str, list[Diagnostic]] = {path: [] for path in paths.values()}
    for diagnostic in diagnostics:
        if diagnostic.path in found:  # a rule that reports outside its focus: found there again when asked
            found[diagnostic.path].append(diagnostic)
    return found


def _grouped(diagnostics: Iterable[Diagnostic]) -> dict[str, list[Diagnostic]]:
    grouped: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(diagnostic.path, []).append(diagnostic)
    return grouped

