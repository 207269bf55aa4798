"""The output is a function of the project alone: byte-identical for any `--jobs`, a cold or a
warm cache, and any order in which discovery finds the files."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import generate
from harness import FIXTURES

from layerlint import engine, rule_pool
from layerlint.cache import fact_shards
from layerlint.cli import main
from layerlint.core.config import Config
from layerlint.project.reading import parallel
from layerlint.project.reading.discovery import Discovery

FindFiles = Callable[..., Discovery]


def shuffled(find_files: FindFiles, seed: int) -> FindFiles:
    """Discovery that finds the same files in another order (any order a file system could give)."""
    def find_files_shuffled(config: Config, named: Sequence[Path] = ()) -> Discovery:
        found = find_files(config, named)
        files = list(found.files)
        random.Random(seed).shuffle(files)
        return replace(found, files=files)

    return find_files_shuffled


@pytest.fixture
def small_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes and several cache shards even for a fixture of a few files."""
    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    monkeypatch.setattr(fact_shards, "FILES_PER_SHARD", 2)


def outputs(root: Path, *args: str, formats: tuple[str, ...] = ("json",)) -> list[str]:
    found = []
    for output_format in formats:
        result = CliRunner().invoke(main, ["check", "--format", output_format, *args, str(root)])
        assert result.exit_code in (0, 1), result.output
        found.append(result.output)
    return found


Run = tuple[int, str]  # --jobs, and the cache: "cold", "warm", "facts" (warm, no stored findings) or "none"


def runs_agree(root: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, runs: list[Run],
               formats: tuple[str, ...] = ("json",)) -> None:
    """One process without a cache is the reference; each run after it finds the files in
    another order. A cold run is the first on its cache; a warm one follows a run on it."""
    reference = outputs(root, "--no-cache", "--jobs", "1", formats=formats)
    find_files = engine.find_files
    for seed, (jobs, state) in enumerate(runs, start=1):
        monkeypatch.setattr(engine, "find_files", shuffled(find_files, seed))
        cache_args = ("--no-cache",) if state == "none" else ("--cache-dir", str(cache_dir))
        assert state != "cold" or not cache_dir.exists()
        if state == "facts":  # the rules run again, on facts read from the cache's shards
            stored = list(cache_dir.glob("*/findings-*.json"))
            assert stored and list(cache_dir.glob("*/facts-*.json"))
            for findings in stored:
                findings.unlink()
        assert outputs(root, *cache_args, "--jobs", str(jobs), formats=formats) == reference, (jobs, state)


FIXTURE_ROOTS = sorted(pyproject.parent for pyproject in FIXTURES.glob("**/pyproject.toml"))


@pytest.mark.usefixtures("small_pools")
@pytest.mark.parametrize("index", range(len(FIXTURE_ROOTS)),
                         ids=[root.relative_to(FIXTURES).as_posix() for root in FIXTURE_ROOTS])
def test_fixture_output_is_the_same_for_any_jobs_cache_and_discovery_order(
        index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2 or 4 workers by turns (each forks a process pool: about 0.1 s a run), then a warm run."""
    runs_agree(FIXTURE_ROOTS[index], tmp_path / "cache", monkeypatch, [(2 + 2 * (index % 2), "cold"), (1, "warm")])


@pytest.mark.usefixtures("small_pools")
def test_generated_project_output_is_the_same_for_any_jobs_cache_and_discovery_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = generate(tmp_path / "project", domains=10)
    assert len(list(root.rglob("*.py"))) > 60
    runs_agree(root, tmp_path / "cache", monkeypatch,
               [(2, "cold"), (4, "warm"), (1, "warm"), (2, "facts"), (1, "facts"), (4, "none")],
               formats=("json", "text", "sarif"))
