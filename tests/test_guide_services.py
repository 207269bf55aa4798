"""The style guide's service examples, with every rule on: only LL604 fires, on the dashboard's
`asyncio.gather` (LL604 deliberately goes beyond the guide: the queries share one session)."""

from __future__ import annotations

from harness import FIXTURES, compare, marked_findings, run_fixture


def test_guide_services_fire_only_the_shared_session_gather() -> None:
    root = FIXTURES / "ll604" / "guide_dashboard"
    expected = marked_findings(root)
    assert {code for _, _, code in expected} == {"LL604"}
    diagnostics = run_fixture(root, None)
    problems = compare(expected, diagnostics)
    assert not problems, problems
