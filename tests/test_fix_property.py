"""Property: over generated routes, models and DTOs, `--fix --unsafe-fixes` never leaves a file
that does not parse, and never changes a file that has no finding."""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import NO_CACHE
from layerlint import engine
from layerlint.core.config import load_config
from layerlint.fixing import fix_project

HANDLER = st.sampled_from([
    "@router.get('/{{n}}')\n{kw}def h{i}(n: str){ret}:\n    return {{'n': n}}\n",
    "@router.post('/')\n{kw}def h{i}(){ret}:\n    pass\n",
    "@router.get('/s')\n{kw}def h{i}(){ret}:\n    yield 'x'\n",
    "def helper{i}(x){ret}:\n    def inner(): return x\n    return None\n",
    "def helper{i}(x){ret}:  # a comment\n    '''Doc.'''\n    lambda: 1\n",
])
DTO = st.sampled_from([
    "class Thing{i}Request(BaseModel):\n    name: str\n",
    "class Thing{i}Request(BaseModel):\n    model_config = ConfigDict(frozen=True)\n    name: str\n",
    "class Thing{i}Request(BaseModel):\n    model_config = {{'extra': 'allow'}}\n",
    "class Thing{i}Request(BaseModel):\n    class Config:\n        pass\n",
    "class Thing{i}Request(BaseModel): name: str\n",
    "class Thing{i}Response(BaseModel):\n    name: str\n",
])
MODEL = st.sampled_from([
    "class M{i}(SQLModel, table=True):\n    id: str = Field(primary_key=True)\n"
    "    created_at: datetime = Field(default_factory=datetime.utcnow)\n",
    "class M{i}(SQLModel, table=True):\n    id: str = Field(primary_key=True)\n"
    "    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False), default_factory=datetime.now)\n",
    "class M{i}(SQLModel, table=True):\n    id: str = Field(primary_key=True)\n"
    "    updated_at: datetime = Field(\n        sa_column=Column(DateTime(), nullable=False),\n"
    "        default_factory=lambda: datetime.now(),\n    )\n",
])
HEADERS = {
    "routes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n",
    "dtos.py": "from pydantic import BaseModel, ConfigDict\n\n\n",
    "models.py": "from datetime import datetime\n\nfrom sqlalchemy import Column, DateTime\nfrom sqlmodel import Field, SQLModel\n\n\n",
}


@st.composite
def modules(draw: st.DrawFn) -> dict[str, str]:
    chosen = {"routes.py": HANDLER, "dtos.py": DTO, "models.py": MODEL}
    files: dict[str, str] = {}
    for name, parts in chosen.items():
        snippets = draw(st.lists(parts, max_size=4))
        body = "\n\n".join(s.format(i=i, kw=draw(st.sampled_from(["", "async "])),
                                    ret=draw(st.sampled_from(["", " -> None"]))) for i, s in enumerate(snippets))
        files[name] = HEADERS[name] + body
    return files


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_fixes_keep_every_file_parsable_and_leave_clean_files_alone(files: dict[str, str]) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
        (root / "app").mkdir()
        (root / "app" / "__init__.py").write_text("")
        for name, text in files.items():
            (root / "app" / name).write_text(text)
        config = load_config(root)
        with_findings = {d.path for d in engine.check(config, options=NO_CACHE).diagnostics}
        fix_project(config, unsafe=True, options=NO_CACHE)
        for name, text in files.items():
            fixed = (root / "app" / name).read_text()
            ast.parse(fixed)
            if f"app/{name}" not in with_findings:
                assert fixed == text
    finally:
        shutil.rmtree(root)
