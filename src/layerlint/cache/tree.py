"""The unchanged-tree store, `tree.json`: the last run's tree digest (every path, mtime and size)
and its findings key. A run over the very same tree reads neither the manifest nor any facts
digest (at 24,000 files, 0.07 s of a 0.5 s run)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from layerlint.cache.manifest import newest_settled
from layerlint.cache.storage import CacheDirectory, run_digest
from layerlint.core.config import Config
from layerlint.project.reading.discovery import SourceFile

NAME = "tree.json"


class Tree:
    def __init__(self, directory: CacheDirectory) -> None:
        self.directory = directory

    def digest(self, config: Config, files: Sequence[SourceFile]) -> str | None:
        """A digest of every file's path and stat, or None when a stat cannot be trusted to stand
        for the content (a file saved in the last 2 s, or one without a stat)."""
        if self.directory.path is None:
            return None
        settled = newest_settled(time.time_ns())  # compared per file: asked of every file of a warm run
        lines = []
        for source in files:
            stat = source.stat
            if stat is None or stat[0] > settled:
                return None
            lines.append(f"{source.relative}\t{stat[0]}\t{stat[1]}")
        return run_digest(self.directory.key, config, lines)

    def findings_key(self, tree: str | None) -> str | None:
        """The findings key of the last run over this very tree: the same paths with the same
        stats have the same contents, as the manifest's fast path assumes file by file."""
        if tree is None:
            return None
        document = self.directory.read(NAME)
        found = document.get("findings_key") if document and document.get("tree") == tree else None
        return found if isinstance(found, str) else None

    def remember(self, tree: str | None, findings_key: str) -> None:
        if tree is not None and self.directory.path is not None:
            self.directory.write(NAME, {"tree": tree, "findings_key": findings_key})
