"""Findings for one file at a time, as flake8 and pylint ask for them.

Whole-project rules need every module, so the project is checked once per lint run (per project
root and configuration) and each file gets its share of that result. Through the engine the
on-disk cache answers warm runs, so a worker process that flake8 or pylint starts pays little.
A buffer that differs from the file on disk (an editor's unsaved text, stdin) is checked with
its own content in place of the file's.

The engine imports some modules only when it needs them (the parser, libcst, the process pool).
pylint puts the checked directories in front of `sys.path` while it checks, so such an import
would find a project's own `hashlib.py` before the standard library's and run it. The engine
therefore runs with `sys.path` as it was when this plugin was loaded (`_import_path_at_load`).

A run leaves the host about half a million objects in reference cycles (the project's facts and
analyses). The CLI ends with `os._exit`; flake8 and pylint cannot, and their collector would
spend about 1 s on polar's server walking them, at its next collection or at exit. So what the
host holds after a run is frozen (`gc.freeze`), and collected when the next run starts: a one-shot
host never pays for it, and a host that asks again holds at most one run's objects
(`_frozen_until_next_run`).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from layerlint import buffers, channel, engine
from layerlint.core.config import Config
from layerlint.core.projects import project_config
from layerlint.core.roots import is_project_root, user_path
from layerlint.core.diagnostic import Diagnostic


# Taken when flake8 or pylint loads the plugin, before pylint adds the project to `sys.path`.
_PATH_AT_LOAD = tuple(sys.path)

log = logging.getLogger(__name__)


class _Frozen:
    by_a_run = False


@contextmanager
def _frozen_until_next_run() -> Iterator[None]:
    """Around a run of the engine (not around a look-up in its result)."""
    if _Frozen.by_a_run:
        gc.unfreeze()
        gc.collect()  # the last run's objects, now that the host asks again
    try:
        yield
    finally:
        gc.freeze()
        _Frozen.by_a_run = True


@contextmanager
def _import_path_at_load() -> Iterator[None]:
    """Imports made inside resolve as they would have when the plugin was loaded (and so do
    worker processes started inside, which inherit the path)."""
    saved = sys.path[:]
    sys.path[:] = _PATH_AT_LOAD
    try:
        yield
    finally:
        sys.path[:] = saved


class LintRun:
    """The projects one flake8 or pylint run has asked about, each checked once for all its files.

    A new run starts empty: a long-lived process (an editor's language server running pylint
    in-process) must never serve findings from before the files were edited.
    """

    def __init__(self) -> None:
        self._configs: dict[Path, Config] = {}
        self._projects: dict[Config, Callable[[str], list[Diagnostic]]] = {}
        self._first: set[Config] = set()  # the projects a first file has been checked alone for

    def findings_for(self, filename: str, content: bytes | str | None = None) -> list[Diagnostic]:
        """The CLI's findings for `filename`; `content` is the buffer to check in its place, as
        bytes or as text decoded the way Python reads source (see `buffers.differs_from_disk`)."""
        with _import_path_at_load():
            return self._findings_for(filename, content)

    def _findings_for(self, filename: str, content: bytes | str | None) -> list[Diagnostic]:
        path = user_path(Path(filename))  # the host's path, symlinks kept: the project is where it is
        config = self._config_for(path.parent)
        relative = engine.project_path(config, path)
        if relative is None:
            return []
        on_disk = content is None or not buffers.differs_from_disk(path, content)
        answered = _asked(config, path, relative, None if on_disk else content)
        if answered is not None:
            return answered
        if on_disk and is_project_root(config.root):
            return self._project_findings(config, path)(relative)
        # A buffer, or a file with no project around it (checked alone, never its whole directory)
        data = {} if on_disk or content is None else {relative: _encoded(content)}
        with _frozen_until_next_run():
            return engine.check(config, (path,), data).diagnostics  # shown for `path` only

    def _config_for(self, directory: Path) -> Config:
        if directory not in self._configs:
            self._configs[directory] = project_config(directory)  # as `layerlint check` finds it
        return self._configs[directory]

    def _project_findings(self, config: Config, path: Path) -> Callable[[str], list[Diagnostic]]:
        """The findings of the project as it is on disk, by root-relative path: for the first
        file asked about, that file's (an editor lints the file saved, and after an edit a check
        of one file re-checks its module alone: on polar's server 0.7 s against 1.1 s); from the
        second, every file's, checked once for the rest of the run."""
        if config in self._projects:
            return self._projects[config]
        if config not in self._first:
            self._first.add(config)
            with _frozen_until_next_run():
                shown = engine.check(config, (path,)).diagnostics
            return lambda relative: shown
        with _frozen_until_next_run():
            self._projects[config] = engine.findings_by_path(config)
        return self._projects[config]


def _asked(config: Config, path: Path, relative: str, content: bytes | str | None) -> list[Diagnostic] | None:
    """The findings from a `layerlint server` holding the project, if one is running (see `channel`)."""
    if not is_project_root(config.root):
        return None
    try:
        data = path.read_bytes() if content is None else _encoded(content)
    except OSError:
        return None
    found = channel.ask(config, relative, data)
    log.debug("layerlint: %s %s", relative, "answered by the server" if found is not None else "checked here")
    return found  # at the configured severities: the server applied them


def _encoded(content: bytes | str) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content
