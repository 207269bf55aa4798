"""The manifest store, `files.json`: path -> [mtime_ns, size, content hash, facts digest].

It is the stat fast path (a file whose mtime and size are as stored is not read) and what the
findings key is made of (each file's facts digest).
"""

from __future__ import annotations

from typing import Any

from layerlint.cache.storage import CacheDirectory

NAME = "files.json"
HASH, DIGEST = 2, 3  # an entry: [mtime_ns, size, content hash, facts digest]
# A file modified this close to when it was stat'ed may change again within the same
# timestamp tick: its stat is not trusted next time (git's "racy clean" problem).
RACY_NS = 2_000_000_000

Entry = list[Any]


class Manifest:
    """This run's entries, by path, and whether they differ from what is stored."""

    def __init__(self, directory: CacheDirectory) -> None:
        self.directory = directory
        self.entries: dict[str, Entry] = {}
        self.changed = False

    def stored(self) -> dict[str, Entry]:
        """The stored entries that have an entry's shape (any other is as if absent)."""
        document = self.directory.read(NAME)
        files = document.get("files") if document else None
        if not isinstance(files, dict):
            return {}
        return {path: entry for path, entry in files.items() if valid_entry(entry)}

    def save(self) -> None:
        if self.directory.path is None or not self.changed:
            return
        self.directory.write(NAME, {"files": self.entries})
        self.changed = False

    def digest_of(self, relative: str) -> str:
        entry = self.entries.get(relative)
        return entry[DIGEST] if entry else ""


def valid_entry(entry: Any) -> bool:
    return type(entry) is list and len(entry) == 4 and type(entry[2]) is str and type(entry[3]) is str


def unchanged(entry: Entry, stat: tuple[int, int] | None) -> bool:
    """Whether a file's stat is the one its entry was made at (then so is its content)."""
    return stat is not None and entry[0] == stat[0] and entry[1] == stat[1]


def trusted_stat(stat: tuple[int, int] | None, now: int) -> tuple[int, int]:
    """The stat to store for a file read `now`: none (-1, -1) when it may still change unseen."""
    return (-1, -1) if stat is None or racy(stat, now) else stat


def racy(stat: tuple[int, int], now: int) -> bool:
    """Saved within 2 s of `now`: the file may change again within the same timestamp tick."""
    return stat[0] > newest_settled(now)


def newest_settled(now: int) -> int:
    """The newest mtime a stat read `now` is trusted with (a caller asking of many files compares
    each mtime with it, instead of calling `racy` per file)."""
    return now - RACY_NS
