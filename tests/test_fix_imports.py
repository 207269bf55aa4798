"""The imports a fix adds are computed on the module's head alone; they must be the edits libcst's
codemod makes on the whole module, whatever the module's layout."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from layerlint.core.config import Config
from layerlint.core.fix import Edit, apply_edits, edits_between
from layerlint.fixers.base import FixSite, with_imports
from layerlint.project.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = ([("pydantic", "ConfigDict")], [("__future__", "annotations")],
           [("datetime", "timezone"), ("sqlalchemy", "String")])
LAYOUTS = {
    "docstring only": '"""Doc."""\n\n\nclass A:\n    x = 1\n',
    "statement first": "class A:\n    x = 1\n\nimport os\n",
    "all imports": "import os\nfrom pydantic import BaseModel\n",
    "header comment": "# licence\n# more\n\nfrom pydantic import BaseModel\n\n\n# a comment\nclass A(BaseModel):\n    x: int\n",
    "future and name imported": "from __future__ import annotations\nfrom typing import Any\nx: Any = 1\n",
    "no blank line after imports": "import os\nx = os.sep\n",
    "semicolons": "import os; import sys\nfrom pydantic import BaseModel\nx = 1\n",
    "strict flag": "__strict__ = True\nimport os\n\n\ndef f():\n    pass\n",
    "empty": "",
    "no trailing newline": "import os\nx = 1",
}


def _whole_module(text: str, imports: list[tuple[str, str]]) -> tuple[Edit, ...]:
    return edits_between(text, with_imports(cst.parse_module(text), imports).code)


def _texts() -> list[tuple[str, str]]:
    found = list(LAYOUTS.items())
    for path in sorted((FIXTURES / "fix").rglob("*.py")):  # the files the fixers are tried on
        try:
            found.append((str(path.relative_to(FIXTURES)), path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:  # LL001's fixtures
            continue
    return found


TEXTS = _texts()


def _no_project() -> Project:
    raise AssertionError("adding imports reads no project")


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[name for name, _ in TEXTS])
def test_head_edits_are_the_whole_modules(name: str, text: str) -> None:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("the fixture is unparsable on purpose")
    for imports in IMPORTS:
        site = FixSite(name, text, Config(root=FIXTURES), _no_project)
        edits = site._edits_adding(imports)
        assert edits == _whole_module(text, imports), imports
        assert apply_edits(text, edits) == with_imports(cst.parse_module(text), imports).code
