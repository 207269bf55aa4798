"""What every store of the cache shares: the namespace, reading and writing its JSON documents
safely, and the directory's tags and pruning.

The namespace hashes layerlint's version, its own source files and the configuration that
changes extraction, so nothing made by another version or setting is ever read. Only JSON is
read, never pickle: a repository can ship a poisoned cache directory. A document that is
corrupt, foreign or from another namespace reads as nothing and is rebuilt. Writes go to a
temporary file that is renamed into place, so concurrent runs never see half a file, nor does
the run after one that was killed; a temporary such a run left is removed once it is 10
minutes old.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

import layerlint
from layerlint.core.config import Config
from layerlint.core.digest import blake2b
from layerlint.project.reading.discovery import read_source

FORMAT = "layerlint-cache-4"
STALE_SECONDS = 600
TAG_NAME = "CACHEDIR.TAG"
GITIGNORE = "# Created by layerlint.\n*\n"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by layerlint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
_RULE_MODULE = re.compile(r"ll(\d{3})_(\w+)\.py")
# What a namespace directory (and one being created) is called, and the files the stores keep in it.
_NAMESPACE_NAME = re.compile(r"\.?[0-9a-f]{16}(\.\d+\.\d+\.tmp)?")
_CACHE_FILE_NAME = re.compile(r"(files|tree|modules|kept)\.json|facts-\d+-\d+\.json|findings-[0-9a-f]+\.json"
                              r"|\.gitignore|CACHEDIR\.TAG|\..+\.\d+\.\d+\.tmp")


@lru_cache(maxsize=1)
def own_source() -> tuple[str, dict[str, str]]:
    """A digest of layerlint's own source files (path, size, mtime): an edited rule invalidates
    findings. And the rules they define, code -> name, read from the rule modules' names
    (`ll101_router_imports_repository.py`): stored findings are checked against them without
    importing the rules (a run answered from the cache never does; a test holds the two equal)."""
    package = Path(layerlint.__file__).parent
    digest = blake2b(digest_size=16)
    rules: dict[str, str] = {}
    for directory, subdirs, names in sorted(os.walk(package)):
        subdirs.sort()
        for name in sorted(n for n in names if n.endswith(".py")):
            stat = os.stat(os.path.join(directory, name))
            digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
            rule_module = _RULE_MODULE.fullmatch(name) if directory.endswith("rules") else None
            if rule_module:
                rules[f"LL{rule_module[1]}"] = rule_module[2].replace("_", "-")
    return digest.hexdigest(), rules


def known_rules() -> dict[str, str]:
    return dict(own_source()[1])


def namespace(config: Config) -> str:
    parts = (FORMAT, layerlint.__version__, own_source()[0], config.extraction_key())
    return blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def run_digest(key: str, config: Config, lines: Iterable[str]) -> str:
    """A digest of a namespace, the whole configuration and one line per file."""
    hasher = blake2b(repr((key, config)).encode(), digest_size=16)
    hasher.update("\n".join(lines).encode())
    return hasher.hexdigest()


# What is stored is a tree of lists and dicts built afresh (facts, findings, stats): the encoder's
# check for cycles (a dict insert and delete per list) only costs, 15-30% of encoding the facts.
_encode: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def dumps(value: Any) -> str:
    """Compact JSON in ASCII (a shard's offsets count characters as bytes)."""
    try:
        return _fast_encode()(value).decode("ascii")
    except (UnicodeError, TypeError, OverflowError):  # text beyond ASCII, a lone surrogate
        return _encode(value)


def load_encoder() -> None:
    """Import the encoder in a parent about to fork workers that write."""
    _fast_encode()


@cache
def _fast_encode() -> Callable[[Any], bytes]:
    """msgspec's encoder: six times json's at writing the facts (at 100k lines 0.17 s of the parse
    workers' CPU, 0.03 s with it). It writes text beyond ASCII as UTF-8, which `dumps` leaves to
    json, and a float that is not finite as null: the facts store none (see compact's Constant)."""
    import msgspec.json  # 7 ms: only where something is written

    return msgspec.json.Encoder().encode


def read_document(path: Path, key: str) -> dict[str, Any] | None:
    """The document at `path` if it is ours and made for `key`; None for anything else."""
    data = read_regular_file(path)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    return document


def read_regular_file(path: Path) -> bytes | None:
    """The bytes of `path` if it is a regular file: a FIFO planted in a cache file's place would
    block the run, a device would never end, and a symlink may lead anywhere."""
    try:
        return read_source(path, follow_symlinks=False)
    except OSError:
        return None


def open_regular_file(path: Path) -> int:
    """A descriptor open on `path` for reading, if it is a regular file and not a symlink (as
    `read_regular_file`); OSError otherwise. The caller closes it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    if not S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(f"not a regular file: {path}")
    return descriptor


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file renamed into place; an OSError leaves nothing behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:  # never through a planted file or link
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # a read-only directory: there is no temporary file either
            pass
        raise


def reason(error: OSError) -> str:
    return error.strerror or str(error)


class CacheDirectory:
    """One run's namespace directory (None: no cache), shared by the stores: written only once it
    is prepared, and given up on at the first write that fails (a read-only or full disk only
    costs speed: the run goes on without writing, and says so once)."""

    def __init__(self, path: Path | None, key: str) -> None:
        self.path = path
        self.key = key
        self.write_failed = False

    def read(self, name: str) -> dict[str, Any] | None:
        return read_document(self.path / name, self.key) if self.path is not None else None

    def writable(self) -> bool:
        if self.path is None or self.write_failed:
            return False
        try:
            return prepare(self.path)
        except OSError as error:
            self.give_up_writing(reason(error))
            return False

    def write(self, name: str, document: dict[str, Any]) -> None:
        """`document`, stamped with the format and namespace, as `name`."""
        if self.writable():
            assert self.path is not None
            try:
                write_text(self.path / name, dumps({"format": FORMAT, "key": self.key, **document}))
            except OSError as error:
                self.give_up_writing(reason(error))

    def give_up_writing(self, why: str) -> None:
        if not self.write_failed:
            self.write_failed = True
            import logging  # 3 ms a run that writes nothing does without

            # With no handler configured, Python prints warnings to stderr.
            logging.getLogger("layerlint.cache").warning(
                "layerlint: warning: cannot write the cache in %s (%s); running without it", self.path, why)

    def remove_stale_temporaries(self) -> None:
        """Temporary files of runs stopped between writing one and renaming it (SIGKILL, Ctrl-C):
        never read, but each as big as the file it was to replace (a shard: up to ~2 MB)."""
        if self.path is None or self.write_failed:
            return
        now = time.time()
        for temporary in self.path.glob(".*.tmp"):
            try:
                if now - temporary.stat().st_mtime > STALE_SECONDS:  # not a concurrent run's
                    temporary.unlink()
            except OSError:
                continue


def prepare(directory: Path) -> bool:
    """Create the namespace directory; never write through a symlink a repository may have shipped
    (False). An OSError (a read-only or full disk) propagates.

    The cache root may be a directory of the user's (`--cache-dir ~/shared`): `.gitignore` and
    `CACHEDIR.TAG` go into it only when this call created it, and pruning touches nothing in it
    but namespace directories that carry layerlint's own tag (see `_prune`)."""
    root = directory.parent
    if root.is_symlink() or directory.is_symlink():
        return False
    if directory.is_dir():
        return True
    if _make_directory(root):
        _mark(root)
    _prune(root)
    _make_namespace(directory)
    return True


def _make_directory(path: Path) -> bool:
    """Whether this call created `path` (with its parents); False when it was already there."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        return False
    return True


def _mark(directory: Path) -> None:
    """Tag a directory layerlint created: never committed, skipped by backup tools, and known as
    its own when pruning."""
    for name, text in ((".gitignore", GITIGNORE), (TAG_NAME, CACHEDIR_TAG)):
        try:
            with open(directory / name, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            pass


def _make_namespace(directory: Path) -> None:
    """Create the namespace directory with its tag in place: it is made under a temporary name
    and renamed, so no namespace directory ever exists untagged (a run killed half-way would
    leave one that pruning never recognises)."""
    temporary = directory.with_name(f".{directory.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    temporary.mkdir()
    _mark(temporary)
    try:
        os.rename(temporary, directory)
    except OSError:  # a concurrent run made it first
        for name in (".gitignore", TAG_NAME):
            (temporary / name).unlink(missing_ok=True)
        temporary.rmdir()
        if not directory.is_dir():
            raise


def _prune(root: Path) -> None:
    """Namespaces of other versions or settings, unused for a while (another layerlint may still
    use one). Only what layerlint provably made is deleted: a directory named like a namespace
    (or a temporary one), tagged with layerlint's own CACHEDIR.TAG, holding nothing but files
    named as the cache names them; anything else in it keeps the whole directory. In a cache
    directory layerlint made (tagged itself), an untagged namespace qualifies too: layerlint
    used to tag only the cache directory, and its namespaces would otherwise stay for ever."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    root_is_ours = _is_tagged(root)
    for entry in entries:
        try:
            if not _NAMESPACE_NAME.fullmatch(entry.name):
                continue
            status = entry.lstat()
            if not S_ISDIR(status.st_mode) or time.time() - status.st_mtime <= STALE_SECONDS:
                continue
            if not (_is_tagged(entry) or root_is_ours and not entry.name.startswith(".")):
                continue
            children = list(entry.iterdir())
            if not all(_CACHE_FILE_NAME.fullmatch(child.name) for child in children):
                continue
            for child in sorted(children, key=lambda c: c.name == TAG_NAME):  # the tag last
                child.unlink()
            entry.rmdir()
        except OSError:
            continue


def _is_tagged(directory: Path) -> bool:
    return read_regular_file(directory / TAG_NAME) == CACHEDIR_TAG.encode()  # a symlinked tag is not read
