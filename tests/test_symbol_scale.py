"""Name resolution and MROs stay correct and cheap on long chains (generated projects).

Work is counted, never timed: the MRO of each class is built from its bases' once, so a chain of
n classes resolves each class's bases once (it took minutes at 3,000: each MRO re-walked the
chain, with a list as the seen-set); re-export chains of any length resolve without recursion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import NO_CACHE

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.project.index.symbols import MAX_RESOLUTION_DEPTH, Symbol, SymbolIndex
from layerlint.project.project import Project


def _write(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname = "chains"\nversion = "0"\n')
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for directory in {p.parent for p in root.rglob("*.py")}:
        (directory / "__init__.py").touch()
    return root


def _project(root: Path) -> Project:
    return engine.load_project(load_config(root), options=NO_CACHE)


@pytest.fixture
def base_symbol_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[Symbol]]:
    calls: Counter[Symbol] = Counter()
    original = SymbolIndex.base_symbols

    def counting(index: SymbolIndex, class_symbol: Symbol) -> list[Symbol]:
        calls[class_symbol] += 1
        return original(index, class_symbol)

    monkeypatch.setattr(SymbolIndex, "base_symbols", counting)
    yield calls


CLASSES = 3000


def _class_chain(root: Path, length: int = CLASSES) -> Path:
    lines = ["class C0:\n    pass\n"] + [f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, length)]
    return _write(root, {"app/models/chain.py": "\n".join(lines)})


def test_each_class_of_a_long_chain_has_its_bases_resolved_once(tmp_path: Path,
                                                                base_symbol_calls: Counter[Symbol]) -> None:
    index = _project(_class_chain(tmp_path)).index
    last = Symbol("class", "app.models.chain", f"C{CLASSES - 1}")
    assert list(index.mro(last)) == [Symbol("class", "app.models.chain", f"C{i}") for i in reversed(range(CLASSES))]
    for symbol in index.classes():
        index.mro(symbol)
    assert len(base_symbol_calls) == CLASSES and max(base_symbol_calls.values()) == 1


def test_a_whole_run_over_a_long_class_chain_does_linear_mro_work(tmp_path: Path,
                                                                  base_symbol_calls: Counter[Symbol]) -> None:
    length = CLASSES // 3
    engine.check(load_config(_class_chain(tmp_path, length)), options=NO_CACHE)
    # Role assignment, the model and repository checks ask for every class's MRO, some more than once.
    assert sum(base_symbol_calls.values()) <= 3 * length


def test_diamonds_and_cycles_keep_depth_first_order(tmp_path: Path) -> None:
    index = _project(_write(tmp_path, {"app/models/shapes.py": (
        "class A:\n    pass\nclass B(A):\n    pass\nclass C(A):\n    pass\nclass D(B, C):\n    pass\n"
        "class X(Y):\n    pass\nclass Y(X):\n    pass\n")})).index

    def names(name: str) -> list[str]:
        return [s.name for s in index.mro(Symbol("class", "app.models.shapes", name))]

    assert names("D") == ["D", "B", "A", "C"]  # depth first, left to right, each once
    assert names("X") == ["X", "Y"] and names("Y") == ["Y", "X"]


REEXPORTS = 600


def test_a_reexport_chain_of_600_modules_resolves(tmp_path: Path) -> None:
    files = {"app/repositories/items.py": "class ItemRepository:\n    pass\n",
             "app/reexports/m0.py": "from app.repositories.items import ItemRepository\n",
             "app/routers/items.py": f"from app.reexports.m{REEXPORTS - 1} import ItemRepository\n"}
    files |= {f"app/reexports/m{i}.py": f"from app.reexports.m{i - 1} import ItemRepository\n"
              for i in range(1, REEXPORTS)}
    root = _write(tmp_path, files)
    index = _project(root).index
    assert index.resolve_name(f"app.reexports.m{REEXPORTS - 1}", "ItemRepository") == Symbol(
        "class", "app.repositories.items", "ItemRepository")
    found = {(d.path, d.code) for d in engine.check(load_config(root), options=NO_CACHE).diagnostics}
    assert ("app/routers/items.py", "LL101") in found


@pytest.mark.parametrize("length", [MAX_RESOLUTION_DEPTH // 2, 10 * MAX_RESOLUTION_DEPTH])
def test_star_import_and_alias_chains_never_overflow_the_stack(tmp_path: Path, length: int) -> None:
    """They recurse (each link is resolved by name); past the bound the answer is unknown."""
    files = {"app/base.py": "class Item:\n    pass\n",
             "app/stars/s0.py": "from app.base import *\n", "app/aliases/a0.py": "from app.base import Item as A0\n"}
    files |= {f"app/stars/s{i}.py": f"from app.stars.s{i - 1} import *\n" for i in range(1, length)}
    files |= {f"app/aliases/a{i}.py": f"from app.aliases import a{i - 1}\nA{i} = a{i - 1}.A{i - 1}\n"
              for i in range(1, length)}
    index = _project(_write(tmp_path, files)).index
    item = Symbol("class", "app.base", "Item")
    last_alias = Symbol("assign", f"app.aliases.a{length - 1}", f"A{length - 1}")  # a value, not followed
    resolvable = length < MAX_RESOLUTION_DEPTH
    assert index.resolve_name(f"app.stars.s{length - 1}", "Item") == (item if resolvable else Symbol("unknown", ""))
    assert index.resolve_name(last_alias.module, last_alias.name) == (item if resolvable else last_alias)
