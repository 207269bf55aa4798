"""One run's view of the cache, over its stores: content hashes first, facts only when the
findings are stale."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from layerlint.cache.findings import Findings
from layerlint.cache.manifest import DIGEST, HASH, Entry, Manifest, trusted_stat, unchanged
from layerlint.cache.storage import CacheDirectory, load_encoder, namespace, run_digest
from layerlint.cache.tree import Tree
from layerlint.core.config import Config
from layerlint.core.options import RunOptions
from layerlint.project.reading.discovery import SourceFile

if TYPE_CHECKING:  # the facts store and the parse workers are imported where facts are read or parsed
    from layerlint.cache.fact_shards import FactShards, StoredShard
    from layerlint.cache.kept import KeptStore
    from layerlint.cache.module_findings import ModuleFindings
    from layerlint.project.reading.facts import ModuleFacts
    from layerlint.project.reading.lazy import LazyModules
    from layerlint.project.reading.parallel import FileJob


class ProjectCache:
    """The stores of one namespace, and what this run learnt of every file."""

    def __init__(self, config: Config, options: RunOptions | None = None) -> None:
        options = options or RunOptions()
        self.key = namespace(config)
        self.directory = options.cache_path(config.root) / self.key if options.use_cache else None
        self.storage = CacheDirectory(self.directory, self.key)
        self.manifest = Manifest(self.storage)
        self.tree = Tree(self.storage)
        self.findings = Findings(self.storage)
        self.workers = options.worker_count()
        self.fresh: dict[str, str] = {}  # compact facts parsed in this run, as JSON text
        self.decoded: dict[str, ModuleFacts] = {}  # facts parsed in this run, decoded while workers parsed
        self.files: list[SourceFile] = []
        self.parsed = 0  # files parsed in this run
        self.refreshed = False  # every file's content hash is known
        self.trust_stored = True  # False: every file's facts come from its source (see distrust_facts)
        self._sources: dict[str, SourceFile] = {}
        self._open: dict[int, StoredShard] = {}  # shards read from in this run

    @cached_property
    def shards(self) -> FactShards:
        """The facts store: read only by a run that is not answered whole from the cache (its
        module and the parse workers', 1.2 ms of imports a warm run skips)."""
        from layerlint.cache.fact_shards import FactShards

        return FactShards(self.storage)

    def kept(self, digest_of: Callable[[str], str]) -> KeptStore:
        """The per-module results earlier runs kept (`digest_of(path)`: a module's facts digest now)."""
        from layerlint.cache.kept import KeptStore

        return KeptStore(self.storage, digest_of)

    @cached_property
    def module_findings(self) -> ModuleFindings:
        """Findings per module: read only by a run that is not answered whole from the cache (its
        module reads the facts' types, 14 ms of imports an editor plugin's cached answer skips)."""
        from layerlint.cache.module_findings import ModuleFindings

        return ModuleFindings(self.storage)

    @property
    def stats(self) -> dict[str, Entry]:
        """path -> manifest entry [mtime_ns, size, content hash, facts digest]."""
        return self.manifest.entries

    @property
    def write_failed(self) -> bool:
        return self.storage.write_failed

    # ---------------------------------------------------------------- content hashes

    def refresh(self, files: Sequence[SourceFile]) -> None:
        """Know every file's content hash; parse (and store) only files whose content changed."""
        from layerlint.project.reading.parallel import FileJob

        self.close()
        self.files = list(files)
        self.refreshed = True
        self.shards.size_for(len(self.files))
        known = self.manifest.stored()
        jobs: dict[int, list[FileJob]] = {}
        now = time.time_ns()
        stats = self.manifest.entries  # the loop runs once per file
        for source in self.files:
            relative = source.relative
            entry = known.get(relative)
            stat = source.stat if source.stat is not None else _stat(source.location)
            if entry is not None and unchanged(entry, stat):
                stats[relative] = entry
                continue
            jobs.setdefault(self.shards.shard_of(relative), []).append(FileJob(source, entry[HASH] if entry else None))
            stats[relative] = [*trusted_stat(stat, now), "", entry[DIGEST] if entry else ""]
        self._run(jobs)
        # A file saved within the last 2 s is hashed on every run until it is older; when its
        # hash is what it was, its entry is too, and the manifest is not written again.
        self.manifest.changed = len(known) != len(self.files) or any(
            stats[job.source.relative] != known.get(job.source.relative) for shard in jobs.values() for job in shard)

    def _run(self, jobs: dict[int, list[FileJob]]) -> None:
        """Resolve jobs shard by shard; whoever parses a shard's files (a worker) also stores them.
        While workers parse the shards still to come, this process (which would only wait)
        decodes the facts of those they finished: a check reads every module it parsed, and at
        100k lines decoding them after the parse cost 0.3 s of a 3.5 s cold run. The last
        shard's facts stay text, decoded only if read. Shards parsed in this process keep the
        facts they built: nothing to decode."""
        from layerlint.cache import fact_shards
        from layerlint.cache.fact_shards import ShardTask
        from layerlint.project.reading.parallel import load_parser, map_tasks, pool_size

        if not jobs:
            return
        writable = self.storage.writable()
        keep: dict[int, set[str]] = {}
        for source in self.files:
            keep.setdefault(self.shards.shard_of(source.relative), set()).add(source.relative)
        tasks = [ShardTask(tuple(jobs[i]), self.shards.path(i) if writable else None, self.key, frozenset(keep[i]),
                           os.getpid()) for i in sorted(jobs)]
        files = sum(map(len, jobs.values()))
        overlapped = len(tasks) - 1 if pool_size(self.workers, len(tasks), files) > 1 else 0
        if overlapped:  # the workers are forked with what they parse and write with
            load_parser()
            load_encoder()
        for number, (task, (results, failure, built)) in enumerate(
                zip(tasks, map_tasks(fact_shards.run_shard, tasks, self.workers, files))):
            if failure is not None:
                self.storage.give_up_writing(failure)
            for job, (digest, text, text_digest) in zip(task.jobs, results):
                relative = job.source.relative
                self.stats[relative][HASH] = digest
                if text is not None:
                    self.parsed += 1
                    self.stats[relative][DIGEST] = text_digest
                    if built is not None:  # parsed in this process
                        self.decoded[relative] = built[relative]
                    elif number < overlapped:
                        self.decoded[relative] = fact_shards.parsed(text, job.source)
                    else:
                        self.fresh[relative] = text

    # ---------------------------------------------------------------- facts

    def facts(self) -> list[ModuleFacts]:
        """Facts of every refreshed file, in file order: from this run, the shards, or a parse."""
        found = self.facts_of([source.relative for source in self.files])
        return [found[source.relative] for source in self.files]

    def modules(self, extra: Sequence[ModuleFacts] = ()) -> LazyModules:
        """Every refreshed file's facts by module name, then `extra`'s (the first of a name wins,
        as in `Project.build`), each decoded when first read."""
        from layerlint.project.reading.lazy import LazyModules

        paths: dict[str, str] = {}
        for source in self.files:
            paths.setdefault(source.module, source.relative)
        return LazyModules(paths, self.facts_of, extra)

    def facts_of(self, relatives: Iterable[str]) -> dict[str, ModuleFacts]:
        """The facts of these refreshed files, by path, decoding only theirs: from this run's
        parse, the shards (an entry is read alone, its functions' bodies when first read), or a
        parse when the stored entry is unusable."""
        from layerlint.project.reading.parallel import FileJob

        if len(self._sources) != len(self.files):
            self._sources = {source.relative: source for source in self.files}
        found: dict[str, ModuleFacts] = {}
        stored: dict[int, list[SourceFile]] = {}
        for relative in relatives:
            source = self._sources[relative]
            facts = self._parsed(source)
            if facts is not None:
                found[relative] = facts
            else:
                stored.setdefault(self.shards.shard_of(relative), []).append(source)
        missing: dict[int, list[FileJob]] = {}
        for index, sources in stored.items():
            shard = self._shard(index)
            for source in sources:
                facts = shard.unread(source.relative, self.stats[source.relative][HASH], source)
                if facts is None:  # a shard lost, corrupt, tampered with or written by a concurrent run
                    missing.setdefault(index, []).append(FileJob(source, None))
                else:
                    found[source.relative] = facts
        self._run(missing)
        self.manifest.changed = self.manifest.changed or bool(missing)
        for jobs in missing.values():
            for job in jobs:
                facts = self._parsed(job.source)
                assert facts is not None, job.source.relative  # parsed just now
                found[job.source.relative] = facts
        self.save_manifest()
        return found

    def _parsed(self, source: SourceFile) -> ModuleFacts | None:
        """The facts of `source` parsed in this run, if it was; held once: the caller keeps them."""
        from layerlint.cache import fact_shards

        facts = self.decoded.pop(source.relative, None)
        if facts is None and (text := self.fresh.pop(source.relative, None)) is not None:
            facts = fact_shards.parsed(text, source)
        return facts

    def _shard(self, index: int) -> StoredShard:
        """Shard `index`, opened once per run (its index read, no entry decoded)."""
        from layerlint.cache.fact_shards import StoredShard

        shard = self._open.get(index)
        if shard is None:
            shard = self._open[index] = self.shards.open(index) if self.trust_stored else StoredShard({})
        return shard

    def distrust_facts(self) -> bool:
        """From now on take every file's facts from its source, and store them afresh: stored
        facts broke a rule, which a tampered entry of the right shape can (see valid_facts).
        False when no stored facts could have been read: a failure then is not the cache's."""
        if self.directory is None or not self.trust_stored:
            return False
        self.trust_stored = False
        self.close()
        return True

    def close(self) -> None:
        """Let go of the shards opened to read facts."""
        for shard in self._open.values():
            shard.close()
        self._open.clear()

    def save_manifest(self) -> None:
        self.manifest.save()

    # ---------------------------------------------------------------- findings

    def module_salt(self, config: Config) -> str:
        """What every module's findings key starts from: the namespace and the whole configuration."""
        return run_digest(self.key, config, ["per module"])

    def findings_key(self, config: Config, files: Sequence[SourceFile], extra_digests: dict[str, str]) -> str:
        """All inputs of the findings: the facts of every module (an editor buffer's count like a file's)."""
        return self.findings.key(config, files, lambda relative: extra_digests.get(relative)
                                 or self.manifest.digest_of(relative))


def _stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
