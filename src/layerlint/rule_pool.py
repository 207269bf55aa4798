"""Run the rules over a project, in forked worker processes on big projects, a family per task:
the rules that share an analysis, by what each declares it reads (`_families`).

On a big project the rules are most of a run (about 15 s of 20 s cold at 1M lines), and they
are independent of each other. Workers are forked, so nothing is sent to them but a family's
rule indices; each sends back its Diagnostics, already filtered by the selection and by noqa
comments (which need the facts). Results are collected in rule order, so the output never
depends on `--jobs`.

Workers inherit the project this process built: its facts are decoded once, not once per
worker. Facts are typed objects (a node per expression), and decoding them is a good part of a
run after an edit (0.15 s a process at 100k lines, against 0.06 s when expressions stayed
lists): inheriting them cost 4% less CPU in that run than each worker decoding its own copy
(interleaved medians of 5, see the engine branch's commit). Analyses shared between families
(routes, the symbol index's caches) are still built in each worker that needs them: building
them in this process before forking left the other core idle.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.noqa import suppressed
from layerlint.core.selection import Selection
from layerlint.project.project import BUILT_WHOLE, Project, needed_analyses
from layerlint.project.reading.parallel import can_fork, map_tasks
from layerlint.rules.base import Rule

# Below this many modules per worker, forking costs more than the rules take (~1 ms per module).
MIN_MODULES_PER_WORKER = 500

# A rule's diagnostics after selection and noqa, and how many noqa comments suppressed, by path
# (the check cache stores each module's findings with its count).
RuleResult = tuple[list[Diagnostic], Counter[str]]

_shared: tuple[Project, Sequence[Rule]] | None = None  # what forked workers inherit
_one_at_a_time = threading.Lock()


def forks(rules: Sequence[Rule], workers: int, modules: int) -> bool:
    """Whether `evaluate` will run these rules in worker processes."""
    # can_fork last: it imports multiprocessing, which a small project never needs. Where workers
    # are spawned (macOS, Windows) they would start without the project: the rules run here.
    return min(workers, len(_families(rules)), modules // MIN_MODULES_PER_WORKER) > 1 and can_fork()


@dataclass
class Evaluation:
    results: list[RuleResult]  # in the order of the rules
    seconds: list[float]  # each rule's time in the process that ran it
    workers: int


def evaluate(project: Project, rules: Sequence[Rule], workers: int, modules: int) -> Evaluation:
    """Each rule's result, in the order of `rules`."""
    global _shared
    families = _families(rules)
    workers = workers if forks(rules, workers, modules) else 1
    evaluation = Evaluation([([], Counter()) for _ in rules], [0.0] * len(rules), workers)
    with _one_at_a_time:  # a host that lints from several threads: `_shared` is one per process
        _shared = (project, rules)
        _collect(evaluation, families, workers, modules)
    return evaluation


def _collect(evaluation: Evaluation, families: list[list[int]], workers: int, modules: int) -> None:
    global _shared
    try:
        for indices, found in zip(families, map_tasks(_check_family, families, workers, modules,
                                                        minimum=MIN_MODULES_PER_WORKER)):
            for index, (kept, count, seconds) in zip(indices, found):
                evaluation.results[index] = (kept, count)
                evaluation.seconds[index] = seconds
    finally:
        _shared = None


def _families(rules: Sequence[Rule]) -> list[list[int]]:
    """Rule indices grouped by what they declare they read: rules that read an analysis built
    whole (the route table, the table models; directly or through another analysis) run in the
    same worker, which builds it once. Analyses filled one question at a time join no rules (a
    second worker repeats only the questions both ask), nor do those most of the rules read
    (the roles): every worker builds those anyway. Groups come in the order of their first rule."""
    reads = [needed_analyses(rule.analyses) & BUILT_WHOLE for rule in rules]
    readers = Counter(name for names in reads for name in names)
    group = list(range(len(rules)))  # union-find over the rule indices

    def root(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    first_reader: dict[str, int] = {}
    for index, names in enumerate(reads):
        for name in names:
            if readers[name] * 2 <= len(rules):
                group[root(index)] = root(first_reader.setdefault(name, index))
    families: dict[int, list[int]] = {}
    for index in range(len(rules)):
        families.setdefault(root(index), []).append(index)
    return sorted(families.values(), key=lambda family: family[0])


def _check_family(indices: list[int]) -> list[tuple[list[Diagnostic], Counter[str], float]]:
    assert _shared is not None
    project, rules = _shared
    return [_check_rule(project, rules[index]) for index in indices]


def _check_rule(project: Project, rule: Rule) -> tuple[list[Diagnostic], Counter[str], float]:
    start = time.perf_counter()
    selection = Selection.of(project.config)
    found = [d for d in map(rule.diagnostic, rule.check(project)) if selection.enabled_in(d.code, d.path)]
    noqa = project.noqa_by_path
    kept: list[Diagnostic] = []
    dropped: Counter[str] = Counter()
    for d in found:
        if suppressed(d.code, _codes(noqa.get(d.path, {}).get(d.line))):
            dropped[d.path] += 1
        else:
            kept.append(d)
    return kept, dropped, time.perf_counter() - start


def _codes(codes: list[str] | None) -> tuple[str, ...] | None:
    return tuple(codes) if codes is not None else None
