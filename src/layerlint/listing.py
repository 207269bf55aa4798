"""What `layerlint roles` and `layerlint routes` print beside a project's roles: the route table
and the notes about what the model could not decide."""

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
