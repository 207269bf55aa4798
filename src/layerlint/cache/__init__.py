"""Per-module facts and whole-project findings on disk, so unchanged files are not parsed again.

Layout of `.layerlint_cache/` (in the project root, or `--cache-dir`), one store per module:

    .gitignore, CACHEDIR.TAG     as ruff's: never committed, skipped by backup tools; only in a
                                 directory layerlint created (never in a `--cache-dir` that was there)
    <namespace>/.gitignore, CACHEDIR.TAG   the same, and the tag marks the directory as layerlint's:
                                 pruning deletes nothing untagged                      (storage.py)
    <namespace>/files.json       path -> [mtime_ns, size, content hash, facts digest]: the stat
                                 fast path, and what the findings key is made of      (manifest.py)
    <namespace>/facts-N-I.json   compact facts of the files whose path falls in shard I of N,
                                 each under its content hash, after an index of where each
                                 file's entry is: one is read and decoded alone    (fact_shards.py)
    <namespace>/findings-K.json  the findings of a run whose inputs (the configuration, every path
                                 and facts digest) have the key K; the last 4 runs' are kept
                                                                                       (findings.py)
    <namespace>/modules.json     path -> [facts digest, its imports' candidate modules, per group of
                                 rules: [key, noqa count, findings]]: a run after an edit re-checks
                                 only the modules whose key (closure, whole analyses) changed
                                                                                (module_findings.py)
    <namespace>/kept.json        path -> [facts digest, {name: value}]: what a function of that
                                 module's facts alone computed (which imports it uses only as
                                 types), taken instead of computing it while the digest holds (kept.py)
    <namespace>/tree.json        the last run's tree digest (every path, mtime and size) and its
                                 findings key                                             (tree.py)

`storage.py` is what they share: the namespace, atomic writes, reading only our own JSON, the
tags and pruning. `project_cache.py` is one run's view over the stores.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from layerlint.cache.fact_shards import digest_of, facts_digest
    from layerlint.cache.findings import StoredFindings
    from layerlint.cache.project_cache import ProjectCache
    from layerlint.cache.storage import known_rules, namespace

__all__ = ["ProjectCache", "StoredFindings", "digest_of", "facts_digest", "known_rules", "namespace"]

# Where each name lives, imported when first asked for: the plugins import only `findings` and
# `storage` (to read a server's answer), and every flake8 run on one file pays for what it imports.
_HOMES = {"ProjectCache": "project_cache", "StoredFindings": "findings", "digest_of": "fact_shards",
          "facts_digest": "fact_shards", "known_rules": "storage", "namespace": "storage"}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
