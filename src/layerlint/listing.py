"""What `layerlint roles`, `routes`, `init` and `check --show-notes` print beside findings: the
route table, the notes about what the model could not decide, configured names that name
nothing, and the configuration `init` infers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from layerlint.project.project import Project
    from layerlint.project.views.route_listing import RouteRow


def notes(project: Project) -> list[str]:
    """What the user should know about the project beyond findings (`layerlint roles` prints them)."""
    from layerlint.rules.notes import project_notes

    return project_notes(project)


def routes(project: Project) -> list[RouteRow]:
    """Every route as layerlint understands it (`layerlint routes` prints them)."""
    from layerlint.project.views.route_listing import route_rows

    return route_rows(project)


def inferred_configuration(project: Project) -> str:
    """The `[tool.layerlint]` section `layerlint init` writes, inferred from the project's model
    under the default configuration."""
    from layerlint.project.views.layout import infer_layout, layout_toml

    return layout_toml(infer_layout(project))


def setup_summary(project: Project) -> str:
    """What a configuration makes of the project, in two lines: modules per role, routes per session kind."""
    from collections import Counter

    roles = Counter(role.role or "no role" for role in project.roles.values())
    sessions = Counter(row.session for row in routes(project))
    return (f"roles: {', '.join(f'{count} {role}' for role, count in roles.most_common())} (`layerlint roles`)\n"
            f"routes: {sum(sessions.values())}, by session: "
            f"{', '.join(f'{count} {kind}' for kind, count in sessions.most_common()) or 'none'} (`layerlint routes`)")
