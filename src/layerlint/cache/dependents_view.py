"""What the modules importing a module see of it: its facts without the top-level functions and
classes added since its dependents' findings were stored that nothing else can reach.

A module's findings are keyed by its import closure (`module_findings.closure_keys`), so a function
appended to a service re-checks every module whose closure holds the service: 190 of polar's 1,171
after one edit of `polar/product/service.py`, though none of them can call a function that did
not exist when they were written. A dependent reaches a top-level name `g` of module `E` only
- by importing it by name (`from E import g`, a candidate `E.g` in its stored imports),
- through the module object (`import E`, `from pkg import E`, `from E import *`: any attribute),
- or through `E`'s own code (a function of `E` that calls `g`, re-exported through `E`);
the analyses that find things by enumerating modules (the roles, the route table, the table
models, the generic bases' users) are part of every key already (roles) or fingerprinted whole
(`module_findings.fingerprints`). So a name added to a module that is no package, that no other
module imports by name or as a module, and that the rest of the module does not mention, is left
out of what its dependents are keyed by: the module's own findings are checked again, theirs are
kept. tests/test_check_incremental.py checks, on every fixture, that findings after such an edit
equal a cold run's, that only the edited module is checked again, and that a later import of the
added name re-checks its importer's dependents.

What is kept per module (`View`): the digest its dependents key on, the names left out of it, and
every top-level name of its facts (to know which names an edit added). The names left out only
grow while the rest of the module's facts stay as they were; anything else (a name imported by
another module, an existing function changed, spans moved by a line inserted above) keys the
dependents by the module's whole facts again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container, Iterable, Mapping, Sequence

from layerlint.cache.storage import dumps
from layerlint.core.records import record
from layerlint.project.reading.facts import ModuleFacts


@record(frozen=True)
class View:
    digest: str  # the facts digest the module's dependents are keyed by
    hidden: str  # the top-level names left out of it, joined by spaces
    names: str  # every top-level function and class name of the module's facts, joined by spaces


def top_level_names(facts: ModuleFacts) -> list[str]:
    return sorted({item.qualname for item in facts.functions if "." not in item.qualname}
                  | {item.qualname for item in facts.classes if "." not in item.qualname})


def without(facts: ModuleFacts, hidden: frozenset[str]) -> ModuleFacts:
    """The facts with the top-level functions and classes named in `hidden` (their methods and
    nested definitions with them) left out."""
    def kept(qualname: str) -> bool:
        return qualname.split(".", 1)[0] not in hidden

    return dataclasses.replace(facts, functions=[f for f in facts.functions if kept(f.qualname)],
                               classes=[c for c in facts.classes if kept(c.qualname)])


def view_of(facts: ModuleFacts, digest: str, stored: View | None) -> View:
    """The view of a module whose facts digest is `digest` and not the stored one: the stored
    view when the facts are the stored view's plus top-level names the rest does not mention,
    else the whole facts."""
    from layerlint.cache.fact_shards import facts_digest
    from layerlint.project.reading.compact import encode_facts

    names = top_level_names(facts)
    whole = View(digest, "", " ".join(names))
    if stored is None or facts.is_package or facts.failure is not None:
        return whole
    added = set(names) - set(stored.names.split())
    hidden = sorted((set(stored.hidden.split()) | added) & set(names))
    if not hidden or not all(name.isascii() for name in hidden):  # JSON text escapes other names
        return whole
    text = dumps(encode_facts(without(facts, frozenset(hidden))))
    # A mention anywhere in the rest (a call, an attribute, a string) keeps the name in: the
    # text test is looser than any use, so it never leaves out a name the module uses.
    if facts_digest(text) != stored.digest or any(name in text for name in hidden):
        return whole
    return View(stored.digest, " ".join(hidden), whole.names)


def reached_names(modules: Container[str], imports: Iterable[tuple[str, Sequence[Sequence[str]]]]
                  ) -> tuple[set[str], dict[str, set[str]]]:
    """The modules some import binds as a module object, and per module the names imported from
    it by name, from each module's import candidates (`graph.edge_candidates`: for
    `from E import g`, `E.g` first, then `E`; for `import E` or `from pkg import E`, `E` first)."""
    as_module: set[str] = set()
    by_name: dict[str, set[str]] = {}
    for importer, candidate_lists in imports:
        for candidates in candidate_lists:
            target = next((c for c in candidates if c in modules), None)
            if target is None or target == importer:
                continue
            first = candidates[0]
            if target == first:
                as_module.add(target)
            elif first.startswith(target + "."):
                by_name.setdefault(target, set()).add(first[len(target) + 1:].split(".", 1)[0])
    return as_module, by_name


def reached(module: str, view: View, as_module: set[str], by_name: Mapping[str, set[str]]) -> bool:
    """Whether another module can reach a name `view` leaves out of `module`."""
    if not view.hidden:
        return False
    return module in as_module or not by_name.get(module, set()).isdisjoint(view.hidden.split())
