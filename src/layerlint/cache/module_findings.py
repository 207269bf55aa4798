"""The findings store per module: `modules.json`, each module's findings under a key over what
decides them, so that a run after an edit re-checks only the modules whose key changed.

A module's key, for the rules that read the same whole analyses (`Rule.whole_inputs`), is a digest of
- its import closure (`closure_keys`): a Merkle digest over the import graph, an import cycle
  as one node, of each module's path, name, facts digest and role and of the modules its imports
  resolved to; a module created where an import pointed at nothing changes the importer's key;
- a fingerprint of each whole analysis the rules read (`fingerprints`): the route table, the
  table models, the soft-delete models, the unconfigured base repository.
tests/test_module_locality.py checks, on every fixture, that these decide a rule's findings in a
module. The other rules (project scope, or reading call sites or a rule-defined analysis:
`whole_inputs` is None) are not stored here: they run whole.

The edges are stored too, as each import's candidate modules (`edge_candidates`) beside the
facts digest they were read from, so the keys are computed from the stored edges and the
digests: a module's facts are read for its edges only when its digest changed (`ModuleEntry.of`).
The roles and the whole analyses still come from the project built whole: the roles in the run's
process, each whole analysis in the rule worker that builds it for its rules, which compares its
fingerprint with the stored one to know which modules its rules run on (engine._per_module).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from layerlint.cache.dependents_view import View, reached, reached_names, view_of
from layerlint.cache.findings import decode, encode
from layerlint.cache.storage import CacheDirectory, own_source
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.digest import blake2b
from layerlint.core.records import record
from layerlint.project.index.graph import candidates_of
from layerlint.project.reading.expr import Node
from layerlint.project.reading.facts import ClassFact, FunctionFact, ImportFact, ModuleFacts

NAME = "modules.json"

Group = tuple[str, ...]  # the whole analyses a group of rules reads: their findings share a key


def group_name(group: Group) -> str:
    return ",".join(group)


@record(frozen=True)
class ModuleEntry:
    """What a module's place in the import graph is made of: known from its facts digest alone."""

    module: str
    path: str
    digest: str
    imports: str  # per import statement, its candidate targets in order: `encode_imports`
    view: View  # what the modules importing it are keyed by (cache/dependents_view.py)

    @classmethod
    def of(cls, facts: ModuleFacts, digest: str, stored: Any) -> ModuleEntry:
        """The stored edges and view when they were read from facts of this digest, else read from `facts`."""
        if _valid(stored) and stored[0] == digest:
            return cls(facts.module, facts.path, digest, stored[1], View(*stored[4:7]))
        imports = encode_imports(facts.imports)
        return cls(facts.module, facts.path, digest, imports,
                   view_of(facts, digest, View(*stored[4:7]) if _valid(stored) else None))

    def candidates(self) -> list[list[str]]:
        """Each import statement's candidate targets, in the order the import graph tries them."""
        return [item.split(" ") for item in self.imports.split("\n")] if self.imports else []


@lru_cache(maxsize=None)
def _candidates_text(kind: str, target: str, name: str | None) -> str:
    """An import's candidates joined by spaces, once per distinct import: most
    repeat across modules (at 1M lines, 200,000 imports; reading them all was 0.19 s of a first run)."""
    return " ".join(candidates_of(kind, target, name))


def _valid(stored: Any) -> bool:
    """A stored entry: [facts digest, imports, closure key, groups, view digest, hidden, names].
    Spelled out: asked of every module for each group (at 1M lines 190,000 times a run)."""
    return type(stored) is list and len(stored) == 7 and type(stored[0]) is str and type(stored[1]) is str \
        and type(stored[2]) is str and type(stored[3]) is dict and type(stored[4]) is str \
        and type(stored[5]) is str and type(stored[6]) is str


def encode_imports(imports: Iterable[ImportFact]) -> str:
    """Imports as one string, each import's candidates (`edge_candidates`) joined by spaces and
    imports by newlines (a module name holds neither). At 1M lines the store held 595,000
    candidates in 200,000 lists; with them and the empty group entries (`NOTHING`) written
    compactly, reading the store adds 28 MB to a run after an edit instead of 112 MB."""
    return "\n".join(_candidates_text(item.kind, item.target, item.name) for item in imports)


def closure_keys(entries: Mapping[str, ModuleEntry], roles: Mapping[str, object], salt: str) -> dict[str, str]:
    """Module -> a digest of everything in its import closure (see the module's docstring): its own
    facts, and what its closure's modules show the modules importing them (`ModuleEntry.view`)."""
    successors: dict[str, list[str]] = {}
    own: dict[str, bytes] = {}
    shown: dict[str, bytes] = {}
    target_of: dict[str, str] = {}  # by an import's candidates as stored: most imports repeat across modules
    for name, entry in entries.items():
        targets = []
        for item in entry.imports.split("\n") if entry.imports else ():
            target = target_of.get(item)
            if target is None:
                target = target_of[item] = next((c for c in item.split(" ") if c in entries), "")
            targets.append(target)
        parts = name.split(".")
        parents = [p for end in range(1, len(parts)) if (p := ".".join(parts[:end])) in entries]
        successors[name] = [t for t in dict.fromkeys(targets + parents) if t and t != name]
        own[name] = repr((entry.path, name, entry.digest, roles.get(name), targets)).encode()
        shown[name] = own[name] if entry.view.digest == entry.digest else \
            repr((entry.path, name, entry.view.digest, roles.get(name), targets)).encode()
    keys: dict[str, str] = {}
    shown_keys: dict[str, str] = {}  # by module, its component's key as the modules importing it see it
    for component in _components(successors):
        members = set(component)
        hasher = blake2b(salt.encode(), digest_size=16)
        for name in sorted(component):
            hasher.update(shown[name])
        for key in sorted({shown_keys[t] for name in component for t in successors[name] if t not in members}):
            hasher.update(key.encode())
        digest = hasher.hexdigest()
        for name in component:
            shown_keys[name] = digest
            keys[name] = digest if shown[name] is own[name] else \
                blake2b(digest.encode() + own[name], digest_size=16).hexdigest()
    return keys


def visible(entries: Mapping[str, ModuleEntry]) -> dict[str, ModuleEntry]:
    """The entries with every view whose left-out names another module now reaches reset to the
    module's whole facts (`dependents_view.reached`)."""
    hiding = [name for name, entry in entries.items() if entry.view.hidden]
    if not hiding:  # most runs: nothing is left out
        return dict(entries)
    # An import can resolve to a module only if the module's name is among its candidates.
    as_module, by_name = reached_names(entries, ((name, entry.candidates()) for name, entry in entries.items()
                                                 if any(module in entry.imports for module in hiding)))
    return {name: entry if not reached(name, entry.view, as_module, by_name) else
            dataclasses.replace(entry, view=View(entry.digest, "", entry.view.names))
            for name, entry in entries.items()}


def _components(successors: Mapping[str, list[str]]) -> list[list[str]]:
    """The strongly connected components (Tarjan's, without recursion), each after every one it reaches."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in successors:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors[root]))]
        while work:
            node, pending = work[-1]
            for target in pending:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(successors[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    found.append(component)
    return found


def fingerprints(results: Mapping[str, object], modules: Iterable[ModuleFacts],
                 digest_of: Callable[[str], str]) -> dict[str, str]:
    """A digest of each whole analysis's result. A module's facts stand as its path and facts
    digest, and a function or class of the facts as its module's, its qualified name and its
    place: the route table holds the handlers' facts, which would otherwise be printed whole."""
    owners: dict[int, ModuleFacts] = {}
    for facts in modules:
        for item in (*facts.functions, *facts.classes):
            owners[id(item)] = facts
    # A dataclass met again (a handler's router, a model's symbol) is printed once: the results
    # hold every object printed, so an id is not reused while this runs.
    printed: dict[int, str] = {}

    def token(value: object) -> str:
        if value is None or isinstance(value, (str, int, float, bool)):
            return repr(value)
        known = printed.get(id(value))
        if known is None:
            known = printed[id(value)] = shown(value)
        return known

    def shown(value: object) -> str:
        if isinstance(value, Node):  # an expression: small
            return repr(value)
        if isinstance(value, ModuleFacts):
            return f"M({value.path!r},{digest_of(value.path)!r})"
        owner = owners.get(id(value)) if isinstance(value, (FunctionFact, ClassFact)) else None
        if owner is not None:
            return f"F({owner.path!r},{digest_of(owner.path)!r},{getattr(value, 'qualname')!r},{getattr(value, 'span')!r})"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(map(token, value)) + "]"
        if isinstance(value, (set, frozenset)):
            return "{" + ",".join(sorted(map(token, value))) + "}"
        if isinstance(value, dict):
            return "{" + ",".join(f"{token(k)}:{token(v)}" for k, v in value.items()) + "}"
        names = _field_names(type(value))
        if names is not None:
            return type(value).__name__ + "(" + ",".join(token(getattr(value, name)) for name in names) + ")"
        return repr(value)

    return {name: blake2b(token(result).encode(), digest_size=16).hexdigest()
            for name, result in results.items()}


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None: not a dataclass), once per class: `fingerprints` prints
    every object of the whole analyses, and `dataclasses.fields` builds its tuple at each call."""
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
    return _FIELD_NAMES[cls]


@record
class Stored:
    """One module's findings of one group, as stored."""

    suppressed: int
    findings: Sequence[Diagnostic]


# Most modules' entry of most groups: stored as 0, read as this one object (at 1M lines, 163,000
# of the 168,000 entries; their [0, []] and a Stored each were most of what finding the held
# findings added to a run after an edit, 56 MB, now 33 MB).
NOTHING = Stored(0, ())


class ModuleFindings:
    """The store: `inputs`, each group's digest of the whole analyses it reads; and by path,
    [facts digest, import candidates, closure key, {group: [suppressed, findings], or 0 for none}].
    A module's findings of a group are its when its closure key and the group's inputs are this run's: the
    closure key is stored once per module and the inputs once per group (each module's keys
    written out per group made the store of the 100k-line project 3.5 MB, and saving it 0.06 s)."""

    def __init__(self, directory: CacheDirectory) -> None:
        self.directory = directory
        self._document: tuple[dict[str, Any], dict[str, Any]] | None = None

    def _stored(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(group -> its stored inputs, path -> its entry), empty where the document is not usable."""
        if self._document is None:
            document = self.directory.read(NAME) or {}
            inputs, by_path = document.get("inputs"), document.get("by_path")
            if not isinstance(inputs, dict) or not isinstance(by_path, dict):
                inputs, by_path = {}, {}
            self._document = (inputs, by_path)
        return self._document

    def entries(self, project_modules: Iterable[ModuleFacts], digest_of: Callable[[str], str]
                ) -> dict[str, ModuleEntry]:
        """Every module's entry: stored edges where the digest is the stored one."""
        stored = self._stored()[1]
        return {facts.module: ModuleEntry.of(facts, digest_of(facts.path), stored.get(facts.path))
                for facts in project_modules}

    def holds_any(self, paths: Iterable[str]) -> bool:
        """Whether any of `paths` has an entry (none: a first run, every key is new)."""
        stored = self._stored()[1]
        return any(path in stored for path in paths)

    def inputs(self, group: Group) -> str | None:
        """The group's inputs the stored findings were found under."""
        stored = self._stored()[0].get(group_name(group))
        return stored if isinstance(stored, str) else None

    def held(self, group: Group, modules: Iterable[tuple[str, str, str]]) -> dict[str, Stored]:
        """Module -> its findings of `group` stored under the closure key given with it (each of
        `modules` is module, path, closure key), checked as decoded; none when the group has no
        inputs stored (whether they are this run's the caller learns later, where the group's
        analyses are built). One pass per group: at 1M lines it is asked of 24,000 modules."""
        stored_inputs, by_path = self._stored()
        name = group_name(group)
        if type(stored_inputs.get(name)) is not str:
            return {}
        rules = own_source()[1]
        held: dict[str, Stored] = {}
        for module, path, closure in modules:
            entry: Any = by_path.get(path)
            if not _valid(entry) or entry[2] != closure:
                continue
            item = entry[3].get(name)
            if type(item) is int and item == 0:
                held[module] = NOTHING
                continue
            if type(item) is not list or len(item) != 2:
                continue
            suppressed, encoded = item
            if type(suppressed) is not int or suppressed < 0 or type(encoded) is not list:
                continue
            try:
                held[module] = Stored(suppressed, [decode(path, one, rules) for one in encoded])
            except (TypeError, ValueError):
                continue
        return held

    def save(self, entries: Mapping[str, ModuleEntry], closure: Mapping[str, str], inputs: Mapping[Group, str],
             stored: Mapping[tuple[str, Group], Stored]) -> None:
        """Every module's edges and closure key (by module name), each group's inputs, and each
        module's findings of each group (found under those keys)."""
        if not self.directory.writable():
            return
        by_path: dict[str, list[Any]] = {}
        for name, entry in entries.items():
            view = entry.view
            by_path[entry.path] = [entry.digest, entry.imports, closure[name], {}, view.digest, view.hidden, view.names]
        for (path, group), found in stored.items():
            if path in by_path:
                by_path[path][3][group_name(group)] = [found.suppressed, [encode(d) for d in found.findings]] \
                    if found.suppressed or found.findings else 0
        self.directory.write(NAME, {"inputs": {group_name(g): digest for g, digest in inputs.items()},
                                    "by_path": by_path})


def grouped(diagnostics: Sequence[Diagnostic], counts: Counter[str], paths: Iterable[str]) -> dict[str, Stored]:
    """Fresh findings in `paths`, each path's entry present even when it found nothing."""
    found: dict[str, list[Diagnostic]] = {path: [] for path in paths}
    for diagnostic in diagnostics:
        if diagnostic.path in found:  # a rule that reports outside its focus: found there when re-checked
            found[diagnostic.path].append(diagnostic)
    return {path: Stored(counts.get(path, 0), findings) for path, findings in found.items()}
