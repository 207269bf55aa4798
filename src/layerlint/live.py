"""A project held in memory for an editor (the language server): the facts of every file on disk,
read once, with the editor's unsaved buffers laid over them; checked again after each change.

Between checks only what changed is read again: a buffer is parsed when its text changes, a file
on disk when the editor says it changed, and the tree is walked again only when files were
created or deleted. The rules then run over the whole project (`_findings`), which is where an
engine that re-checks only what an edit reaches plugs in: nothing else here or in the server
needs to change.

Knows nothing of the language server protocol: the server translates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from layerlint import engine
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions
from layerlint.project.reading.discovery import SourceFile, find_files, root_relative
from layerlint.project.reading.facts import ModuleFacts
from layerlint.project.reading.loader import facts_from_bytes, load_facts
from layerlint.project.project import Project


@dataclass
class _Buffer:
    """An editor's text and the facts parsed from it (kept until the text changes)."""

    data: bytes
    facts: ModuleFacts


@dataclass(frozen=True)
class _Snapshot:
    """A check's buffers, findings and project."""

    buffers: dict[str, bytes]
    found: dict[str, list[Diagnostic]]
    project: Project


@dataclass
class _Pending:
    """What the editor reported since the last check, recorded from any thread."""

    changed: set[str] = field(default_factory=set)  # root-relative paths changed on disk
    rediscover: bool = False  # files were created or deleted: walk the tree again


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

    def findings(self, buffers: Mapping[str, bytes]) -> dict[str, list[Diagnostic]]:
        """Every finding of the project with `buffers` (root-relative path -> an editor's text) in
        place of their files, by root-relative path."""
        return self.snapshot(buffers)[0]

    def snapshot(self, buffers: Mapping[str, bytes]) -> tuple[dict[str, list[Diagnostic]], Project]:
        """`findings(buffers)`, and the project they are about."""
        with self._checking:
            self._catch_up()
            project = Project.build(self.config, self._facts_with(buffers))
            found: dict[str, list[Diagnostic]] = {}
            for diagnostic in _findings(self.config, project):
                found.setdefault(diagnostic.path, []).append(diagnostic)
            self._last = _Snapshot(dict(buffers), found, project)
            return found, project

    def latest(self, buffers: Mapping[str, bytes]) -> tuple[dict[str, list[Diagnostic]], Project]:
        """`snapshot(buffers)`; the last check's when it was over these buffers and nothing
        changed on disk since (an editor asks for fixes at every move of the cursor)."""
        with self._lock:
            pending = bool(self._pending.changed) or self._pending.rediscover
        last = self._last
        if last is not None and not pending and last.buffers == buffers:
            return last.found, last.project
        return self.snapshot(buffers)

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

    def _load(self) -> None:
        """Every file's facts, through the engine and so its on-disk cache (a warm start parses nothing)."""
        self._files = {f.relative: f for f in find_files(self.config).files}
        project = engine.load_project(self.config, options=self._options)
        self._disk = {facts.path: facts for facts in project.modules.values()}

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


def _findings(config: Config, project: Project) -> list[Diagnostic]:
    """The rules' findings over the project (selection and noqa applied): the one call into the
    engine's rule evaluation, so that an incremental engine replaces it alone."""
    rules = engine.active_rules(config)
    diagnostics, _ = engine.run_rules(project, rules, workers=1, modules=len(project.modules))
    return diagnostics
