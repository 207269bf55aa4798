"""JUnit XML, as CI systems (Jenkins, GitLab, Azure Pipelines) read test reports: a test suite
per file, a failing test case per finding, named by its code and located by path, line and column;
a run without findings is one passing test case. ruff's `junit` format has the same shape."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from layerlint.core.diagnostic import Diagnostic
from layerlint.reporters.base import Report

if TYPE_CHECKING:  # imported where XML is written: every run imports the reporters, few write XML
    from xml.etree import ElementTree

PACKAGE = "org.layerlint"


def _suite(path: str, diagnostics: list[Diagnostic]) -> ElementTree.Element:
    from xml.etree import ElementTree

    count = str(len(diagnostics))
    suite = ElementTree.Element("testsuite", name=path, tests=count, disabled="0", errors="0", failures=count,
                                package=PACKAGE)
    for d in diagnostics:
        where = d.location
        case = ElementTree.SubElement(suite, "testcase", name=f"{PACKAGE}.{d.code}", classname=path,
                                      line=str(where.line), column=str(where.column))
        failure = ElementTree.SubElement(case, "failure", message=d.message, type=d.severity.value)
        failure.text = f"line {where.line}, col {where.column}, {d.message}"
    return suite


class JunitReporter:
    name = "junit"
    shows_statistics = False

    def render(self, report: Report) -> str:
        from xml.etree import ElementTree

        found = list(report.diagnostics)
        root = ElementTree.Element("testsuites", name="layerlint", tests=str(len(found) or 1),
                                   failures=str(len(found)), errors="0")
        for path, in_file in groupby(sorted(found, key=lambda d: d.path), key=lambda d: d.path):
            root.append(_suite(path, list(in_file)))
        if not found:
            suite = ElementTree.SubElement(root, "testsuite", name="layerlint", tests="1", disabled="0",
                                           errors="0", failures="0", package=PACKAGE)
            ElementTree.SubElement(suite, "testcase", name="No errors found", classname="layerlint")
        ElementTree.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode")
