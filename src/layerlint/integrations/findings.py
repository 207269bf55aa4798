"""Findings for one file at a time, as flake8 and pylint ask for them.

Whole-project rules need every module, so the project is checked once per process (per project
root and configuration) and each file gets its share of that result. Through the engine the
on-disk cache answers warm runs, so a worker process that flake8 or pylint starts pays little.
A buffer that differs from the file on disk (an editor's unsaved text, stdin) is checked with
its own content in place of the file's.
"""

from __future__ import annotations

import multiprocessing
from functools import lru_cache
from pathlib import Path

from layerlint import engine
from layerlint.core.config import Config, load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions


@lru_cache(maxsize=256)
def _config_for_directory(directory: Path) -> Config:
    return load_config(directory)


def _options() -> RunOptions:
    """Worker processes of flake8 and pylint are daemons: they may not start parsing workers."""
    return RunOptions(jobs=1 if multiprocessing.current_process().daemon else None)


@lru_cache(maxsize=8)
def _project_findings(config: Config) -> dict[str, tuple[Diagnostic, ...]]:
    """Every finding of the project as it is on disk, by root-relative path."""
    grouped: dict[str, list[Diagnostic]] = {}
    for diagnostic in engine.check(config, (), options=_options()).diagnostics:
        grouped.setdefault(diagnostic.path, []).append(diagnostic)
    return {path: tuple(found) for path, found in grouped.items()}


def _disk_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def findings_for(filename: str, content: bytes | None = None) -> list[Diagnostic]:
    """The CLI's findings for `filename`; `content` is the text to check in its place (a buffer)."""
    path = Path(filename).resolve()
    config = _config_for_directory(path.parent)
    try:
        relative = path.relative_to(config.root).as_posix()
    except ValueError:
        return []
    if content is None or content == _disk_bytes(path):
        return list(_project_findings(config).get(relative, ()))
    result = engine.check(config, (path,), {relative: content}, options=_options())
    return [d for d in result.diagnostics if d.path == relative]
