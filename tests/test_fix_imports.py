"""The imports a fix adds are layerlint's own (`fixers/imports.py`), computed on the module's head
alone; they must be what libcst's `AddImportsVisitor` codemod makes of the whole module, whatever
the module's layout."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from layerlint.core.config import Config
from layerlint.core.fix import apply_edits, edits_between
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from layerlint.fixers.base import FixSite, with_imports
from layerlint.project.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = ([("pydantic", "ConfigDict")], [("__future__", "annotations")],
           [("datetime", "timezone"), ("sqlalchemy", "String")], [("pydantic", "Field"), ("pydantic", "ConfigDict")])
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
    "name imported already": "from pydantic import BaseModel, ConfigDict\n\nx = 1\n",
    "module imported: names added in front": "from pydantic import BaseModel\nfrom pydantic import Field\nx = 1\n",
    "parenthesised": "from sqlalchemy import (\n    Column,\n    Integer,\n)\n\n# models\nx = 1\n",
    "star": "from pydantic import *\nx = 1\n",
    "aliased": "from pydantic import ConfigDict as Config\nx = 1\n",
    "relative": "from . import models\nfrom .db import String\nx = 1\n",
    "import statement": "import datetime\nimport pydantic\n\n\nclass A:\n    pass\n",
    "comment before the first statement": "import os\n# a comment\nx = 1\n",
    "import after code": "x = 1\nfrom pydantic import ConfigDict\n",
    "docstring then code": '"""Doc."""\nx = 1\n',
    "concatenated docstring": '"""a""" "b"\nimport os\n',
}


def _codemod(module: cst.Module, imports: list[tuple[str, str]]) -> cst.Module:
    """What libcst's own codemod makes of `module`: the reference."""
    context = CodemodContext()
    for source, name in imports:
        AddImportsVisitor.add_needed_import(context, source, name)
    return AddImportsVisitor(context).transform_module(module)


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
def test_added_imports_are_what_libcst_adds(name: str, text: str) -> None:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("the fixture is unparsable on purpose")
    for imports in IMPORTS:
        expected = _codemod(module, imports).code
        assert with_imports(module, imports).code == expected, imports
        edits = FixSite(name, text, Config(root=FIXTURES), _no_project)._edits_adding(imports)  # on the head
        assert edits == edits_between(text, expected) and apply_edits(text, edits) == expected, imports
