"""GitLab Code Quality: a JSON array of issues (description, check_name, fingerprint, severity,
location.path from the repository root, location.lines.begin), the subset of the Code Climate spec
GitLab reads from a `codequality` report artifact, as ruff's `gitlab` format writes it."""

from __future__ import annotations

import json

from layerlint.core.diagnostic import Diagnostic
from layerlint.reporters.base import Report


def issue(diagnostic: Diagnostic, fingerprint: str) -> dict[str, object]:
    where = diagnostic.location
    return {
        "type": "issue",
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code} {diagnostic.message}",
        "severity": diagnostic.severity.gitlab_severity,
        "fingerprint": fingerprint,
        "location": {"path": diagnostic.path, "lines": {"begin": where.line, "end": where.end_line}},
    }


class GitlabReporter:
    name = "gitlab"
    shows_statistics = False
    repository_paths = True  # GitLab runs the job from the repository root and opens paths from there

    def render(self, report: Report) -> str:
        # The baseline key, hashed, as in SARIF: an issue keeps its fingerprint when lines move, so
        # the merge request widget shows it as unchanged, not as one fixed and one new.
        return json.dumps([issue(d, fingerprint) for d, fingerprint in zip(report.diagnostics, report.fingerprints)],
                          indent=2)
