"""What the language server answers a flake8 or pylint plugin that asks it (see `channel`): the
findings of one file with the plugin's text in its place, from the project the server holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from layerlint import engine
from layerlint.channel import Answer, Request, config_digest
from layerlint.core.diagnostic import Diagnostic
from layerlint.integrations.background import in_thread
from layerlint.live import LiveProject


def plugin_answers(projects: Callable[[], Iterable[LiveProject]]) -> Answer:
    """Answers from the live project with the request's root and configuration once it is loaded;
    None for any other, and while it loads (the plugin checks by itself rather than wait for a
    whole project to be read)."""
    def answer(request: Request) -> Callable[[], Awaitable[Sequence[Diagnostic]]] | None:
        root = request.root.resolve()
        for project in list(projects()):
            config = project.config
            if config.root.resolve() == root and config_digest(config) == request.config:
                return (lambda: _findings(project, request)) if project.loaded else None
        return None

    return answer


async def _findings(project: LiveProject, request: Request) -> Sequence[Diagnostic]:
    # Only the plugin's text is laid over the files: it checks a file against the others as they
    # are on disk, whatever the editor holds unsaved. The check runs off the loop, as the server's
    # own checks do, and waits for one of those under way.
    found = await in_thread(project.findings, {request.path: request.data}, [request.path])
    return engine.with_severities(project.config, sorted(found.get(request.path, []), key=Diagnostic.sort_key))
