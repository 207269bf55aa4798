"""Every registered rule is documented the way ruff documents rules, and registered once."""

from __future__ import annotations

import pkgutil

import layerlint.rules
from layerlint.rules import RULES
from layerlint.rules.base import DOC_SECTIONS


def test_every_rule_has_all_doc_sections() -> None:
    for rule in RULES:
        missing = [s for s in DOC_SECTIONS if s not in rule.docs]
        assert not missing, f"{rule.code} docs lack {missing}"
        assert rule.summary and rule.name == rule.name.lower()


def test_codes_and_names_unique_and_ordered() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert len({r.name for r in RULES}) == len(RULES)


def test_every_rule_module_is_registered() -> None:
    registered = {r.code.lower() for r in RULES}
    modules = {m.name.split("_")[0] for m in pkgutil.iter_modules(layerlint.rules.__path__)
               if m.name.startswith("ll")}
    assert modules == registered


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    from pathlib import Path

    from layerlint.rules.docs import rules_markdown

    page = Path(__file__).parent.parent / "docs" / "rules.md"
    assert page.read_text() == rules_markdown(RULES), "run: layerlint rules --markdown > docs/rules.md"
