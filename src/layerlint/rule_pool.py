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

A run may also ask for digests of analyses (`Digests`, the check cache's fingerprints of the
whole analyses): each is taken in the task of the first family that reads it, where it is built
anyway, and work of its own (`meanwhile`) is done in this process while the workers run. With a
`focus`, each keyed rule runs on the modules the digests of what it reads decide, in the worker
that took them (a run after an edit: engine._per_module).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.noqa import suppressed
from layerlint.core.records import field, record
from layerlint.core.selection import Selection
from layerlint.project.project import BUILT_WHOLE, Project, needed_analyses
from layerlint.project.reading.parallel import can_fork, map_tasks
from layerlint.rules.base import Rule

# Below this many modules per worker, forking costs more than the rules take (~1 ms per module).
MIN_MODULES_PER_WORKER = 500

# A rule's diagnostics after selection and noqa, and how many noqa comments suppressed, by path
# (the check cache stores each module's findings with its count).
RuleResult = tuple[list[Diagnostic], Counter[str]]

# A family's rule indices, and the analyses whose digests its task takes.
Task = tuple[list[int], tuple[str, ...]]


@record(frozen=True)
class Digests:
    """Analyses to digest (`of(project, names)` -> name -> digest) where the rules build them;
    with `focus`, the modules each rule keyed by whole analyses (`Rule.whole_inputs`) is run on,
    given their digests (None: every module)."""

    names: Sequence[str]
    of: Callable[[Project, Sequence[str]], dict[str, str]]
    focus: Callable[[Rule, Mapping[str, str]], frozenset[str] | None] | None = None


_shared: tuple[Project, Sequence[Rule], Digests | None] | None = None  # what forked workers inherit
_one_at_a_time = threading.Lock()


def forks(rules: Sequence[Rule], workers: int, modules: int) -> bool:
    """Whether `evaluate` will run these rules in worker processes."""
    # can_fork last: it imports multiprocessing, which a small project never needs. Where workers
    # are spawned (macOS, Windows) they would start without the project: the rules run here.
    return min(workers, len(_families(rules)), modules // MIN_MODULES_PER_WORKER) > 1 and can_fork()


@record
class Evaluation:
    results: list[RuleResult]  # in the order of the rules
    seconds: list[float]  # each rule's time in the process that ran it
    workers: int
    digests: dict[str, str] = field(default_factory=dict)  # what `Digests` asked for


def evaluate(project: Project, rules: Sequence[Rule], workers: int, modules: int, digests: Digests | None = None,
             meanwhile: Callable[[], None] | None = None) -> Evaluation:
    """Each rule's result, in the order of `rules`; with the `digests` asked for, and `meanwhile`
    called while the workers run (before the rules, when they run here)."""
    global _shared
    tasks = _tasks(rules, digests)
    workers = workers if forks(rules, workers, modules) else 1
    evaluation = Evaluation([([], Counter()) for _ in rules], [0.0] * len(rules), workers)
    with _one_at_a_time:  # a host that lints from several threads: `_shared` is one per process
        _shared = (project, rules, digests)
        _collect(evaluation, tasks, workers, modules, meanwhile)
    if digests is not None:  # an analysis no rule reads: digested here
        evaluation.digests.update(digests.of(project, [n for n in digests.names if n not in evaluation.digests]))
    return evaluation


def _tasks(rules: Sequence[Rule], digests: Digests | None) -> list[Task]:
    """The families, each with the analyses to digest that it is the first to read; the families
    of most rules first. Workers take tasks in order, and a family's cost grows with its rules and
    the whole analyses they share: at 100k lines the table models' family is 0.48 s of a cold
    run's 1.55 s of rules, and taken last it left one worker running alone (first: 0.02-0.03 s
    less wall time in 9 interleaved cold runs; on polar's server, where the two workers were
    already even, no difference)."""
    families = _families(rules)
    left = list(digests.names) if digests is not None else []
    tasks: list[Task] = []
    for indices in families:
        reads = set().union(*(needed_analyses(rules[index].analyses) for index in indices))
        tasks.append((indices, tuple(name for name in left if name in reads)))
        left = [name for name in left if name not in reads]
    return sorted(tasks, key=lambda task: -len(task[0]))  # stable: otherwise in rule order


def _collect(evaluation: Evaluation, tasks: list[Task], workers: int, modules: int,
             meanwhile: Callable[[], None] | None) -> None:
    global _shared
    assert _shared is not None
    project = _shared[0]
    try:
        for (indices, _), (found, digests, computed) in zip(tasks, map_tasks(
                _check_family, tasks, workers, modules, minimum=MIN_MODULES_PER_WORKER, meanwhile=meanwhile)):
            for index, (kept, count, seconds) in zip(indices, found):
                evaluation.results[index] = (kept, count)
                evaluation.seconds[index] = seconds
            evaluation.digests.update(digests)
            if project.kept is not None:
                project.kept.add(computed)
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


def _check_family(task: Task) -> tuple[list[tuple[list[Diagnostic], Counter[str], float]], dict[str, str],
                                      dict[str, dict[str, Any]]]:
    """The rules' results, the digests taken, and the per-module results computed to be kept
    (`Project.kept`: a worker's are sent back; here they go back to where they came from)."""
    assert _shared is not None
    project, rules, digests = _shared
    indices, names = task
    focus_of = digests.focus if digests is not None else None
    if focus_of is not None:  # what a rule's focus depends on, digested here too if first read elsewhere
        names = tuple(dict.fromkeys([*names, *(n for i in indices for n in rules[i].whole_inputs or ())]))
    # Digested before the rules run, as built: nothing a rule fills in later is in a digest.
    digested = digests.of(project, names) if digests is not None and names else {}
    results = [_check_rule(project, rules[index]) if focus_of is None
               else _focused(project, rules[index], focus_of(rules[index], digested)) for index in indices]
    return results, digested, project.kept.take_fresh() if project.kept is not None else {}


def _focused(project: Project, rule: Rule, focus: frozenset[str] | None
             ) -> tuple[list[Diagnostic], Counter[str], float]:
    """`_check_rule` with the project's focus on `focus` (None: every module) for this rule alone."""
    held, project.focus = project.focus, focus
    try:
        return _check_rule(project, rule)
    finally:
        project.focus = held


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
