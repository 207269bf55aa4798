"""A fix of a method or nested class prints only that definition (`FixSite._edits_in_definition`);
its edits must turn the file into what rewriting and printing the whole module makes, whatever
the layout around it: docstrings and multi-line strings, decorators and comments above it,
blank lines with and without indentation, tabs, nested classes, CRLF line ends."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from layerlint.core.config import Config
from layerlint.core.fix import Applicability, apply_edits
from layerlint.fixers.base import FixSite
from layerlint.project.project import Project

METHODS = '''\
import os


class Service:
    """A class of many methods."""

    # a comment at the class's indentation
    @staticmethod
    def plain(x):
        """Doc.

        Indented text in a docstring, and a line at column 0:
not indented.
        """
        os.sep
        
        x = 1

    @property
    def prop(self):  # trailing comment
        text = """a
multi-line string
    with its own indentation"""
        print(text)

# a comment at column 0, inside the class
    async def later(
        self,
        y,
    ):
        await y()

    class Inner:
        def deeper(self):
            pass

        class Model:
            x = 1


def top():
    pass
'''


def _no_project() -> Project:
    raise AssertionError("the fixer must not need the project")


def _sites(text: str) -> list[tuple[FixSite, cst.FunctionDef | cst.ClassDef]]:
    site = FixSite("m.py", text, Config(root=Path(".")), _no_project)
    nodes: list[cst.FunctionDef | cst.ClassDef] = []

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            nodes.append(node)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            nodes.append(node)

    site.module.visit(Collect())
    return [(site, node) for node in nodes]


def _changed(node: cst.FunctionDef | cst.ClassDef) -> cst.FunctionDef | cst.ClassDef:
    if isinstance(node, cst.FunctionDef):
        return node.with_changes(returns=cst.Annotation(cst.Name("None")))
    line = cst.parse_statement("model_config = {'extra': 'forbid'}\n")
    assert isinstance(node.body, cst.IndentedBlock)
    return node.with_changes(body=node.body.with_changes(body=[line, *node.body.body]))


@pytest.mark.parametrize("text", [METHODS, METHODS.replace("\n", "\r\n"), METHODS.replace("    ", "\t")],
                         ids=["lf", "crlf", "tabs"])
def test_a_definition_printed_alone_gives_the_module_s_edits(text: str) -> None:
    checked = 0
    for site, node in _sites(text):
        new = _changed(node)
        expected = apply_edits(text, site.edits_in_module(node, new))
        fix = site.fix("change", Applicability.SAFE, node, new)
        assert fix is not None
        assert apply_edits(text, fix.edits) == expected, cst.Module([]).code_for_node(node)[:60]
        checked += 1
    assert checked == 8  # two classes and a function at the top, five definitions nested


def test_a_method_s_fix_prints_the_method_not_its_class(monkeypatch: pytest.MonkeyPatch) -> None:
    site, deeper = next((s, node) for s, node in _sites(METHODS)
                        if isinstance(node, cst.FunctionDef) and node.name.value == "deeper")
    printed: list[str] = []
    code_for_node = cst.Module.code_for_node

    def counted(module: cst.Module, node: cst.CSTNode) -> str:
        printed.append(type(node).__name__)
        return code_for_node(module, node)

    monkeypatch.setattr(cst.Module, "code_for_node", counted)
    assert site.fix("change", Applicability.SAFE, deeper, _changed(deeper)) is not None
    assert printed == ["FunctionDef", "FunctionDef"]  # the method before and after, not the classes around it
