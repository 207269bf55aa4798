#!/usr/bin/env python3
"""Benchmark layerlint against the parse floor, import-linter and ruff (issues 7 and 15's targets).

    python benchmarks/bench.py                  # 100k and 1M lines, 3 repetitions
    python benchmarks/bench.py --only-100k -r 5
    python benchmarks/bench.py --path ~/src/big-project   # an existing tree instead

The generated projects (`../shared/bench/gen_monorepo.py`) go to `benchmarks/corpus/`
(git-ignored). Every figure is the median wall time of whole processes; peak memory is the
largest resident set of the process tree (os.wait4). Ratios are against the parse floor
measured in the same run: `ast.parse` of every file, spread over all cores. With `--path`, a
second floor parses only the files layerlint reads (a real tree's tests and migrations are
excluded), against which a function added has issue 15's target of 1.0x.
Stdlib only; the tools are run from the interpreter's environment (`layerlint`, `ruff`,
`lint-imports`, `flake8` next to `sys.executable`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATOR = REPO.parent / "shared" / "bench" / "gen_monorepo.py"
BIN = Path(sys.executable).parent
SIZES = {"100k": ["--domains", "400", "--seed", "42"], "1M": ["--domains", "4000", "--seed", "42"]}
EDITED = "app/domain/{}/service.py"
CHECKED_FLOOR = "floor, the files layerlint checks"

FLOOR_SCRIPT = """
import ast, os, sys
from concurrent.futures import ProcessPoolExecutor
def parse(paths):
    for path in paths:
        with open(path, "rb") as handle:
            try:
                ast.parse(handle.read(), path)
            except (SyntaxError, ValueError):  # parsed as far as it goes, as layerlint does (LL001)
                pass
    return len(paths)
if __name__ == "__main__":
    if len(sys.argv) > 2:  # a list of the files to parse, relative to the tree
        files = [os.path.join(sys.argv[1], line) for line in open(sys.argv[2]).read().splitlines() if line]
    else:
        files = [os.path.join(d, n) for d, _, ns in os.walk(sys.argv[1]) for n in ns if n.endswith(".py")]
    workers = len(os.sched_getaffinity(0))
    size = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(workers) as pool:
        print(sum(pool.map(parse, [files[i:i + size] for i in range(0, len(files), size)])))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float
    returncode: int


def run(argv: Sequence[str], cwd: Path | None = None) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(elapsed, usage.ru_maxrss / 1024, process.returncode)


def median_of(repeat: int, prepare: Callable[[int], None], argv: Sequence[str], cwd: Path | None = None) -> Run:
    runs: list[Run] = []
    for index in range(repeat):
        prepare(index)
        runs.append(run(argv, cwd))
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs), runs[-1].returncode)


def nothing(_: int) -> None:
    return None


def generate(name: str) -> Path:
    target = HERE / "corpus" / name
    if not (target / "app").is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(GENERATOR), str(target), *SIZES[name]], check=True,
                       stdout=subprocess.DEVNULL)
    prepare_tree(target)
    return target


def prepare_tree(target: Path) -> None:
    """A [project] table bounds the project; import-linter gets one layers contract."""
    pyproject = target / "pyproject.toml"
    if not pyproject.exists():
        pyproject.write_text('[project]\nname = "bench"\nversion = "0"\n')
    if (target / ".importlinter").exists() or not (target / "app").is_dir():
        return
    (target / ".importlinter").write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:layers]\nname = Layers\n"
        "type = layers\nlayers =\n    app.api\n    app.domain\n    app.dtos\n")


def first_service(target: Path) -> Path:
    """The file the edit scenarios change: a service module in the middle of the project's order.
    The generated layout names them `app/domain/<name>/service.py`; any other tree (`--path`) is
    searched for modules named `service.py` or placed in a `services` package."""
    generated = target / "app" / "domain"
    if generated.is_dir():
        domains = sorted(p.name for p in generated.iterdir() if (p / "service.py").exists())
        return target / EDITED.format(domains[len(domains) // 2])
    services = sorted(p for p in target.rglob("*.py") if "/." not in str(p.relative_to(target))
                      and (p.name == "service.py" or p.parent.name == "services"))
    if not services:
        sys.exit(f"bench.py: no service module found under {target}; name the file to edit with --edit")
    return services[len(services) // 2]


def flake8_plugin_available() -> bool:
    from importlib.metadata import entry_points

    return any(e.value.startswith("layerlint") for e in entry_points(group="flake8.extension"))


def measure(target: Path, edited: Path, repeat: int, real: bool = False) -> dict[str, Run | None]:
    layerlint, cache = [str(BIN / "layerlint"), "check", str(target)], target / ".layerlint_cache"
    original = edited.read_bytes()
    results: dict[str, Run | None] = {}
    results["floor"] = median_of(repeat, nothing, [sys.executable, "-c", FLOOR_SCRIPT, str(target)])
    if real:  # a real tree holds tests, migrations and scripts layerlint does not read
        results[CHECKED_FLOOR] = median_of(repeat, nothing, [sys.executable, "-c", FLOOR_SCRIPT, str(target),
                                                             str(checked_files(target))])

    def clear(_: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    results["cold"] = median_of(repeat, clear, layerlint)
    results["cold, 1 job"] = median_of(1, clear, [*layerlint, "--jobs", "1"])
    results["cold, --no-cache"] = median_of(repeat, nothing, [*layerlint, "--no-cache"])
    # JSON carries each finding's fix: the fixers parse every file with a fixable finding
    results["cold, --no-cache --format json"] = median_of(repeat, nothing, [*layerlint, "--no-cache", "--format",
                                                                            "json"])
    run(layerlint)
    results["warm"] = median_of(repeat, nothing, layerlint)

    def comment(index: int) -> None:  # the facts stay as they were: the findings are reused
        edited.write_bytes(original + f"# edit {index} {time.time_ns()}\n".encode())

    def new_function(index: int) -> None:  # the facts change: every rule runs again
        edited.write_bytes(with_function_added(original, f"{index}_{time.time_ns()}"))

    def lines_at_the_top(index: int) -> None:  # every span of the file moves: its importers are checked again
        # index + 1 lines: each repetition moves the spans to where no stored run had them
        edited.write_bytes(f"# edit {time.time_ns()}\n".encode() * (index + 1) + original)

    try:
        results["one file edited: comment"] = median_of(repeat, comment, layerlint)
        results["one file edited: new function"] = median_of(repeat, new_function, layerlint)
        results["one file edited: line at the top"] = median_of(repeat, lines_at_the_top, layerlint)
    finally:
        edited.write_bytes(original)
    run(layerlint)
    results["editor: layerlint check one file"] = median_of(
        repeat, nothing, [str(BIN / "layerlint"), "check", str(edited)], cwd=target)
    results.update(measure_flake8(target, edited, repeat))
    results["import-linter, cold"] = median_of(repeat, nothing, [str(BIN / "lint-imports"), "--no-cache"], target)
    run([str(BIN / "lint-imports")], target)
    results["import-linter, cached"] = median_of(repeat, nothing, [str(BIN / "lint-imports")], target)
    results["ruff, cold"] = median_of(repeat, nothing, [str(BIN / "ruff"), "check", "--no-cache", "."], target)
    run([str(BIN / "ruff"), "check", "."], target)
    results["ruff, cached"] = median_of(repeat, nothing, [str(BIN / "ruff"), "check", "."], target)
    return results


def checked_files(target: Path) -> Path:
    """The files `layerlint check` reads in `target`, listed in a file beside its cache."""
    listed = subprocess.run([str(BIN / "layerlint"), "check", "--show-files", "."], cwd=target, check=True,
                            capture_output=True, text=True).stdout
    listing = target / ".layerlint_cache" / "bench-checked-files.txt"
    listing.parent.mkdir(exist_ok=True)
    listing.write_text(listed)
    return listing


def measure_flake8(target: Path, edited: Path, repeat: int) -> dict[str, Run | None]:
    if not flake8_plugin_available():
        return {"flake8 one file, with plugin": None, "flake8 one file, without plugin": None}
    flake8, without = flake8_commands(edited, target)
    return {"flake8 one file, with plugin": median_of(repeat, nothing, flake8, target),
            "flake8 one file, without plugin": median_of(repeat, nothing, without, target)}


def flake8_commands(edited: Path, target: Path) -> tuple[list[str], list[str]]:
    """flake8 on one file with layerlint's plugin, and the same flake8 with the plugin hidden."""
    with_plugin = [str(BIN / "flake8"), "--isolated", str(edited.relative_to(target))]
    # Without: the same flake8 with layerlint's entry points hidden from the plugin finder.
    hide = ("import sys, importlib.metadata as m; from flake8.main.cli import main; "
            "orig = m.distributions; m.distributions = lambda **k: [d for d in orig(**k) "
            "if (d.metadata['Name'] or '').lower() != 'layerlint']; sys.exit(main(sys.argv[1:]))")
    return with_plugin, [sys.executable, "-c", hide, "--isolated", str(edited.relative_to(target))]


def with_function_added(source: bytes, tag: str) -> bytes:
    """The edit that changes a module's facts, so that every rule runs again."""
    return source + f"\n\ndef edited_{tag}() -> int:\n    return 0\n".encode()


def where_the_time_goes(target: Path, edited: Path) -> list[str]:
    """`layerlint check --timings` once cold and once after a function is added to one file."""
    layerlint = [str(BIN / "layerlint"), "check", str(target), "--timings"]
    original = edited.read_bytes()
    shutil.rmtree(target / ".layerlint_cache", ignore_errors=True)
    lines = ["", "Where the time goes (`--timings`, one run each):", "", "cold:", timings_of(layerlint)]
    try:
        edited.write_bytes(with_function_added(original, "for_timings"))
        lines += ["a function added to one file:", timings_of(layerlint)]
    finally:
        edited.write_bytes(original)
    return lines


def timings_of(argv: Sequence[str]) -> str:
    completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return "\n".join(f"    {line}" for line in completed.stderr.splitlines() if line.startswith(("timings", "slowest")))


def example_project(repeat: int) -> Run:
    return median_of(repeat, nothing, [str(BIN / "layerlint"), "check", str(REPO / "examples" / "shop")])


def table(name: str, results: dict[str, Run | None]) -> list[str]:
    floor = results["floor"]
    assert floor is not None
    targets = {"cold": 2.0, "warm": 0.3, "one file edited: comment": 0.4, "one file edited: new function": 0.4,
               "one file edited: line at the top": 0.4, "editor: layerlint check one file": 0.3}
    lines = [f"\n## {name}\n", "| measurement | median s | peak MiB | x floor | target | |", "|---|---|---|---|---|---|"]
    for label, result in results.items():
        if result is None:
            lines.append(f"| {label} | not available | | | | |")
            continue
        ratio = result.seconds / floor.seconds
        goal = targets.get(label)
        verdict = "" if goal is None else ("met" if ratio <= goal else "MISSED")
        goal_text = f"<= {goal}x" if goal else ""
        lines.append(f"| {label} | {result.seconds:.2f} | {result.peak_mib:.0f} | {ratio:.2f} | {goal_text} | {verdict} |")
    with_plugin, without = results.get("flake8 one file, with plugin"), results.get("flake8 one file, without plugin")
    if with_plugin and without:
        added = (with_plugin.seconds - without.seconds) * 1000
        lines.append(f"| flake8 plugin overhead | {added:.0f} ms | | | <= 100 ms | {'met' if added <= 100 else 'MISSED'} |")
    for label in ("cold", "one file edited: new function", "one file edited: line at the top"):
        measured = results.get(label)
        if measured is not None:
            lines.append(f"| peak RSS, {label} | | {measured.peak_mib:.0f} | | <= 400 MiB | "
                         f"{'met' if measured.peak_mib <= 400 else 'MISSED'} |")
    lines += against_checked_floor(results)
    return lines


def against_checked_floor(results: dict[str, Run | None]) -> list[str]:
    """On a real project (issue 15): a function added, against the parse floor of the files
    layerlint reads, target 1.0x."""
    floor, edit = results.get(CHECKED_FLOOR), results.get("one file edited: new function")
    if floor is None or edit is None:
        return []
    ratio = edit.seconds / floor.seconds
    return [f"| one file edited: new function, x {CHECKED_FLOOR} | {edit.seconds:.2f} | | {ratio:.2f} | <= 1.0x | "
            f"{'met' if ratio <= 1.0 else 'MISSED'} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", type=Path, help="benchmark this project instead of the generated ones")
    parser.add_argument("--edit", type=Path, help="with --path: the file the edit scenarios change "
                        "(default: a module named service.py or in a services package)")
    parser.add_argument("--only-100k", action="store_true", help="skip the ~1M-line project (minutes)")
    parser.add_argument("--only-1m", action="store_true", help="skip the ~100k-line project")
    parser.add_argument("-r", "--repeat", type=int, default=3, help="repetitions per measurement")
    args = parser.parse_args()
    print(f"# layerlint benchmark: {len(os.sched_getaffinity(0))} cores, Python {sys.version.split()[0]}")
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        # Set, every process measured would compile every module of every tool from source
        # (layerlint's 149 modules: about 0.1 s of each run, where an install has .pyc files).
        print("# PYTHONDONTWRITEBYTECODE was set: unset for the tools measured, as an install has bytecode")
    colds: dict[str, float] = {}
    if args.path:
        prepare_tree(args.path)
        names = [(args.path.name, args.path.resolve())]
    else:
        wanted = ["100k"] if args.only_100k else ["1M"] if args.only_1m else ["100k", "1M"]
        names = [(name, generate(name)) for name in wanted]
    for name, target in names:
        edited = (target / args.edit) if args.edit else first_service(target)
        results = measure(target, edited, args.repeat, real=bool(args.path))
        cold = results["cold"]
        colds[name] = cold.seconds if cold else 0.0
        print("\n".join(table(f"{name} ({target})", results)), flush=True)
        print("\n".join(where_the_time_goes(target, edited)), flush=True)
    if "100k" in colds and "1M" in colds:
        scale = colds["1M"] / colds["100k"]
        print(f"\n| scaling: 1M cold / 100k cold | {scale:.1f}x | target <= 11x | {'met' if scale <= 11 else 'MISSED'} |")
    example = example_project(args.repeat)
    print(f"| example project (examples/shop) | {example.seconds:.2f} s | target < 0.5 s | "
          f"{'met' if example.seconds < 0.5 else 'MISSED'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
