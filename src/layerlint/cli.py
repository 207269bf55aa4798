"""The `layerlint` command (click). Translates arguments to the core and results to output."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from layerlint import __version__
from layerlint.__main__ import interrupted
from layerlint.cli_fix import FixRequest, fix_options
from layerlint.core.config import Config, ConfigError
from layerlint.core.diagnostic import Diagnostic, moved
from layerlint.core.projects import Target, find_targets, project_config, repository_root, shown_path
from layerlint.core.roots import user_path
from layerlint.progress import ProgressLine, progress_after_delay
from layerlint.reporters import HUMAN_FORMATS, REPORTERS
from layerlint.reporters.base import Report
from layerlint.reporters.text import color_wanted

if TYPE_CHECKING:
    from layerlint import engine
    from layerlint.core.options import RunOptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Nothing was checked in the directories named (pytest's 5 is "no tests were collected"): a CI job
# pointed at the wrong directory must not pass. Named files that are all excluded (pre-commit
# passing only tests/) are a choice, and exit as a clean run does.
EXIT_NOTHING_CHECKED = 5


def _codes(value: str | None, option: str = "--select") -> tuple[str, ...]:
    """The codes of `--select`/`--ignore`; one that selects no rule is a usage error (exit 2)."""
    from layerlint.engine import selector_problem

    codes = tuple(c.strip() for c in (value or "").split(",") if c.strip())
    problem = next(filter(None, map(selector_problem, codes)), None)
    if problem:
        raise LayerlintError(f"{option}: {problem}")
    return tuple(code.upper() for code in codes)


def _config_for(paths: tuple[Path, ...]) -> Config:
    return _targets_for(paths)[0].config


def _targets_for(paths: tuple[Path, ...]) -> list[Target]:
    try:
        return find_targets(paths)
    except ConfigError as error:
        raise LayerlintError(str(error)) from error


class LayerlintError(click.ClickException):
    """A usage or configuration error: printed as `Error: ...`, exit code 2 (as ruff and flake8)."""

    exit_code = EXIT_ERROR


def _cache_dir(context: click.Context, parameter: click.Parameter, value: str | None) -> Path | None:
    """`--cache-dir ""` would silently be the current directory: a usage error (`.` says it)."""
    if value is None:
        return None
    if not value:
        raise click.BadParameter("must name a directory (`.` for the current one)", context, parameter)
    return Path(value).resolve()


class _Commands(click.Group):
    """The `layerlint` group; in a real process, Ctrl-C anywhere in it ends it as `interrupted` says
    (also when the group is called without `layerlint.__main__.run`, e.g. by an older install's script)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with _interrupts_exit():
            return super().main(*args, **kwargs)


@contextmanager
def _interrupts_exit() -> Iterator[None]:
    installed = _real_process() and _in_main_thread()  # not under CliRunner, nor in a host's thread
    previous = signal.signal(signal.SIGINT, interrupted) if installed else None
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _real_process() -> bool:
    """Not under CliRunner or pytest, which replace stdout and must not be exited."""
    return sys.stdout is sys.__stdout__


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="layerlint")
def main() -> None:
    """Architecture linter for FastAPI backends: layers, routes, models, services."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path, allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(list(REPORTERS)),
              default="text", show_default=True, help="Output format.")
@click.option("--select", help="Comma-separated codes or prefixes to enable (replaces the configured set).")
@click.option("--ignore", help="Comma-separated codes or prefixes to disable.")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Show the count per rule instead of the findings.")
@click.option("--stdin-filename", help="Check standard input as the contents of this file. With --fix, "
                                        "print the fixed source to stdout and the findings left to stderr.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes for parsing (default: every core).")
@click.option("--cache-dir", type=click.Path(file_okay=False), callback=_cache_dir,
              help="Cache directory (default: .layerlint_cache in the project root).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--baseline", "baseline_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Ignore findings recorded in this file (see `layerlint baseline`); fail on new ones. "
                   "With --fix or --diff, only the findings it does not record are fixed.")
@click.option("--timings", "show_timings", is_flag=True, help="Print where the time went to stderr.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings alone: no summary, no progress line.")
@click.option("--silent", "-s", is_flag=True, help="Print nothing but errors; the exit code tells of findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text formats (auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it).")
@click.option("--show-settings", is_flag=True,
              help="Print each project's effective configuration, defaults included, with where each value "
                   "comes from, and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked, and exit.")
@click.option("--show-notes/--hide-notes", default=None,
              help="Print notes on rules the project's setup silences to stderr (default: when stderr is a "
                   "terminal and the format is text). Warnings are printed whatever this says.")
@fix_options
def check(paths: tuple[Path, ...], output_format: str, select: str | None, ignore: str | None,
          exit_zero: bool, show_statistics: bool, stdin_filename: str | None, jobs: int | None,
          cache_dir: Path | None, no_cache: bool, baseline_file: Path | None, show_timings: bool,
          quiet: bool, silent: bool, color: str, show_settings: bool, show_files: bool,
          show_notes: bool | None, fixing: FixRequest) -> None:
    """Check PATHS (default: the project around the current directory)."""
    import gc

    # The process ends after one run: collecting millions of facts objects only costs, and so do
    # the collections the engine's imports set off (about 1 ms of a 100 ms warm run at 100k lines).
    gc.disable()

    from layerlint import engine
    from layerlint.core.options import RunOptions

    if show_statistics and not REPORTERS[output_format].shows_statistics:
        raise click.BadParameter(f"has no `{output_format}` form", param_hint="--statistics")
    progress = _progress_line(output_format, quiet or silent)
    options = RunOptions(use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs,
                         progress=progress.found if progress else None)

    paths = _without_dash(paths, stdin_filename)
    targets = _targets_for(paths or ((Path(stdin_filename),) if stdin_filename else ()))
    if not silent:
        _warn([warning for target in targets for warning in target.warnings])
    if show_settings or show_files:
        _show_setup(targets, show_settings, select, ignore)
        return
    if fixing.writes_or_diffs:
        _exit_now(max(_fix_target(target, fixing, select, ignore, options, stdin_filename, baseline_file,
                                  output_format, color, quiet, silent, exit_zero) for target in targets))
    results: list[tuple[Config, engine.CheckResult]] = []
    with _shown_after_delay(progress):
        for target in targets:
            try:
                config = target.config.with_selection(_codes(select) or None, _codes(ignore, "--ignore"))
                overrides = _stdin_override(config, stdin_filename)
                result = engine.check(config, target.paths or tuple(Path(config.root, p) for p in overrides),
                                      overrides, options=options)
            except ConfigError as error:
                raise LayerlintError(str(error)) from error
            if baseline_file is not None:
                _apply_baseline(result, config, baseline_file, overrides, target.paths, quiet or silent)
            if getattr(REPORTERS[output_format], "carries_fixes", False) and not silent:
                from layerlint.fixing import with_fixes

                result.diagnostics = with_fixes(config, result.diagnostics, overrides, lambda: result.project)
            results.append((config, result))
    if not silent:
        colored = color_wanted(color, sys.stdout.isatty(), os.environ)
        # click strips colour off a terminal unless told
        click.echo(_render(results, output_format, show_statistics, overrides, colored, quiet), color=colored)
        _warn([warning for _, result in results for warning in result.warnings])
        if show_notes or (show_notes is None and output_format == "text" and sys.stderr.isatty() and not quiet):
            print_notes([result for _, result in results])
    if show_timings:
        for _, result in results:
            click.echo(result.timings.summary(), err=True)
    if not any(result.files_checked for _, result in results) and not any(path.is_file() for path in paths) \
            and stdin_filename is None:
        _exit_now(EXIT_NOTHING_CHECKED)
    found = any(result.diagnostics for _, result in results)
    _exit_now(EXIT_FINDINGS if found and not exit_zero else EXIT_CLEAN)


def _without_dash(paths: tuple[Path, ...], stdin_filename: str | None) -> tuple[Path, ...]:
    """PATHS without `-`, which stands for standard input, as in ruff (`--stdin-filename` names it)."""
    named = tuple(path for path in paths if str(path) != "-")
    if len(named) < len(paths) and not stdin_filename:
        raise click.BadParameter("`-` (standard input) needs --stdin-filename to name its file", param_hint="PATHS")
    return named


def _show_setup(targets: list[Target], show_settings: bool, select: str | None, ignore: str | None) -> None:
    """What layerlint is looking at: each project's settings (`--show-settings`) or files (`--show-files`)."""
    from layerlint import engine
    from layerlint.core.settings import settings_toml

    command_line = frozenset(key for key, value in (("select", select), ("ignore", ignore)) if value)
    for target in targets:
        config = target.config.with_selection(_codes(select) or None, _codes(ignore, "--ignore"))
        if show_settings:
            click.echo(settings_toml(config, command_line))
            continue
        try:
            files, warnings = engine.files_to_check(config, target.paths)
        except ConfigError as error:
            raise LayerlintError(str(error)) from error
        for relative in files:
            click.echo(shown_path(config.root, relative, Path.cwd()))
        _warn(warnings)


def _warn(warnings: list[str]) -> None:
    """Warnings on stderr, in every format and wherever the output goes (a CI log too), as ruff's."""
    for warning in warnings:
        click.echo(f"layerlint: warning: {warning}", err=True)


def print_notes(results: list[engine.CheckResult]) -> None:
    """Each project's notes, once, on stderr: why a rule family is silent and which key to set.
    Builds the project when the findings came from the cache."""
    from layerlint import listing

    for result in results:
        _echo_notes(listing.notes(result.project), err=True)


def _fix_target(target: Target, request: FixRequest, select: str | None, ignore: str | None, options: RunOptions,
                stdin_filename: str | None, baseline_file: Path | None, output_format: str, color: str,
                quiet: bool, silent: bool, exit_zero: bool) -> int:
    """`--fix`, `--diff` or `--add-noqa` on one project; its exit code."""
    from layerlint import cli_fix

    try:
        config = target.config.with_selection(_codes(select) or None, _codes(ignore, "--ignore"))
        if request.add_noqa and (stdin_filename or baseline_file):
            raise LayerlintError("--add-noqa works on files, without --stdin-filename or --baseline")
        buffers = _stdin_override(config, stdin_filename)
        paths = target.paths or tuple(Path(config.root, p) for p in buffers)
        reported = _baseline_filter(config, baseline_file, paths) if baseline_file else None
        render = _renderer(config, output_format, color, quiet, silent)
        code = cli_fix.run(request, config, paths, options, render, quiet or silent, buffers=buffers,
                           reported=reported)
    except ConfigError as error:
        raise LayerlintError(str(error)) from error
    return EXIT_CLEAN if exit_zero else code


def _baseline_filter(config: Config, file: Path, paths: tuple[Path, ...]
                     ) -> Callable[[list[Diagnostic], dict[str, bytes]], list[Diagnostic]]:
    """The findings a baseline leaves reported, for `--fix`: those are the ones fixed (`texts`
    are the files' fixed texts so far, for a baseline keyed on line text)."""
    from layerlint import baseline, engine

    try:
        recorded = baseline.read(file)
    except baseline.BaselineError as error:
        raise LayerlintError(str(error)) from error
    in_scope = engine.in_paths(config, paths)
    return lambda found, texts: baseline.apply(recorded, found, baseline.SourceLines(config.root, texts),
                                               in_scope).new


def _renderer(config: Config, output_format: str, color: str, quiet: bool, silent: bool
              ) -> Callable[[list[Diagnostic], int], str] | None:
    """How `--fix` prints the findings left, as `check` would print them; None when `--silent`."""
    if silent:
        return None
    shown = color_wanted(color, sys.stdout.isatty(), os.environ)
    return lambda found, files: REPORTERS[output_format].render(
        Report(found, files, config.root, color=shown, quiet=quiet))


def _progress_line(output_format: str, quiet: bool) -> ProgressLine | None:
    """A progress line only for a person watching a terminal: never in a machine format, a pipe,
    a CI log (not a terminal), a quiet run, or a host's thread (the timer is a signal)."""
    if quiet or output_format not in HUMAN_FORMATS or not sys.stderr.isatty():
        return None
    return ProgressLine(sys.stderr) if _real_process() and _in_main_thread() and hasattr(signal, "setitimer") else None


def _shown_after_delay(progress: ProgressLine | None) -> AbstractContextManager[None]:
    return progress_after_delay(progress) if progress is not None else nullcontext()


def _exit_now(code: int) -> None:
    """Exit without freeing the project's objects one by one: on a big project that took seconds."""
    if _real_process():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _stdin_override(config: Config, stdin_filename: str | None) -> dict[str, bytes]:
    if not stdin_filename:
        return {}
    named = user_path(Path(stdin_filename))
    if not named.is_relative_to(config.root):
        raise click.BadParameter(f"`{stdin_filename}` is outside the project at {config.root}",
                                 param_hint="--stdin-filename")
    buffer = getattr(sys.stdin, "buffer", None)  # None: started with standard input closed
    try:
        data = buffer.read() if buffer is not None else None
    except (OSError, ValueError) as error:  # a closed or unreadable descriptor
        raise LayerlintError(f"--stdin-filename: cannot read standard input: {error}") from error
    if data is None:
        raise LayerlintError("--stdin-filename: standard input is closed")
    return {named.relative_to(config.root).as_posix(): data}


def _apply_baseline(result: object, config: Config, file: Path, overrides: dict[str, bytes],
                    paths: tuple[Path, ...], quiet: bool) -> None:
    """Keep only findings the baseline does not record; name its entries that match nothing now."""
    from layerlint import baseline, engine

    assert isinstance(result, engine.CheckResult)
    try:
        recorded = baseline.read(file)
    except baseline.BaselineError as error:
        raise LayerlintError(str(error)) from error
    outcome = baseline.apply(recorded, result.diagnostics, baseline.SourceLines(config.root, overrides),
                             engine.in_paths(config, paths))
    result.diagnostics = outcome.new
    if quiet:
        return
    click.echo(f"baseline: {len(outcome.matched)} recorded findings ignored, {len(outcome.new)} new", err=True)
    if outcome.stale:
        count = "1 entry matches" if len(outcome.stale) == 1 else f"{len(outcome.stale)} entries match"
        click.echo(f"baseline: {count} no finding any more; "
                   f"`layerlint baseline --prune {file}` removes them:", err=True)
        for entry in outcome.stale:
            click.echo(f"  {entry.path}: {entry.code} {entry.subject} (occurrence {entry.occurrence})", err=True)


def _render(results: list[tuple[Config, engine.CheckResult]], output_format: str, show_statistics: bool,
            overrides: dict[str, bytes], color: bool, quiet: bool) -> str:
    """Every project's findings in one report, each path shown from where the user can open it:
    the current directory, or the repository root for formats read there (SARIF)."""
    reporter = REPORTERS[output_format]
    roots = [config.root for config, _ in results]
    base = repository_root(roots) if getattr(reporter, "repository_paths", False) else Path.cwd()
    diagnostics = [d for config, result in results for d in _shown_from(base, config.root, result.diagnostics)]
    shown = {shown_path(roots[0], relative, base): data for relative, data in overrides.items()}
    report = Report(sorted(diagnostics, key=Diagnostic.sort_key), sum(r.files_checked for _, r in results),
                    base, shown, color=color, statistics=show_statistics, quiet=quiet)
    return reporter.render(report)


def _shown_from(base: Path, root: Path, diagnostics: list[Diagnostic]) -> Iterator[Diagnostic]:
    """The diagnostics of one project, each with its path as shown from `base`: a path's
    findings are many, and its shown path is worked out once."""
    shown_as: dict[str, str] = {}
    for diagnostic in diagnostics:
        relative = diagnostic.path
        path = shown_as.get(relative)
        if path is None:
            path = shown_as[relative] = shown_path(root, relative, base)
        yield diagnostic if path == relative else moved(diagnostic, path)


@main.command(name="baseline")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--prune", is_flag=True, help="Only drop FILE's entries that match no finding; never add new ones.")
def write_baseline(file: Path, paths: tuple[Path, ...], prune: bool) -> None:
    """Record every current finding of PATHS in FILE: `check --baseline FILE` then fails only on new ones."""
    from layerlint import baseline, engine

    config = _config_for(paths)
    try:
        result = engine.check(config, paths)
        if prune:  # shrink the ratchet without letting findings made since into it
            recorded, in_scope = baseline.read(file), engine.in_paths(config, paths)
            outcome = baseline.apply(recorded, result.diagnostics, baseline.SourceLines(config.root), in_scope)
            kept = baseline.pruned(recorded, outcome, in_scope)
            baseline.write(file, kept)
            click.echo(f"Removed {len(outcome.stale)} entries from {file}; {len(kept)} remain.")
            return
    except (ConfigError, baseline.BaselineError) as error:
        raise LayerlintError(str(error)) from error
    entries = baseline.entries_for(result.diagnostics)
    baseline.write(file, entries)
    click.echo(f"Recorded {len(entries)} findings in {file}.")


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the section and where it would go; write nothing.")
@click.option("--force", is_flag=True, help="Replace an existing [tool.layerlint] section.")
def init(path: Path | None, dry_run: bool, force: bool) -> None:
    """Infer the project's layout and write a [tool.layerlint] section into its pyproject.toml."""
    from layerlint import engine, listing
    from layerlint.core.options import RunOptions
    from layerlint.core.pyproject_write import write_section

    no_cache = RunOptions(use_cache=False)
    for target in _targets_for((path,) if path else ()):
        pyproject = target.config.root / "pyproject.toml"
        try:  # inferred under the defaults, whatever the pyproject says now
            section = listing.inferred_configuration(engine.load_project(Config(target.config.root), options=no_cache))
            if not dry_run:
                write_section(pyproject, section, force=force)
            where = shown_path(target.config.root, "pyproject.toml", Path.cwd())
            click.echo(f"# {'would be written to' if dry_run else 'written to'} {where}\n{section}")
            if not dry_run:
                project = engine.load_project(project_config(pyproject), options=no_cache)
                click.echo(listing.setup_summary(project), err=True)
        except ConfigError as error:
            raise LayerlintError(str(error)) from error


@main.command(name="rules")
@click.option("--markdown", is_flag=True, help="Print the full catalogue as markdown (docs/rules.md).")
def list_rules(markdown: bool) -> None:
    """List every rule: code, name and summary."""
    from layerlint.rules import RULES

    if markdown:
        from layerlint.rules.docs import rules_markdown

        click.echo(rules_markdown(RULES), nl=False)
        return
    width = max(len(r.name) for r in RULES)
    for current in RULES:
        click.echo(f"{current.code}  {current.name:<{width}}  {current.summary}")


_LISTING_FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                               show_default=True, help="Output format (json: a list of objects, for scripts).")


@main.command(name="rule")
@click.argument("code", required=False)
@click.option("--all", "every_rule", is_flag=True, help="Show every rule's documentation (as ruff's `rule --all`).")
@_LISTING_FORMAT
def show_rule(code: str | None, every_rule: bool, output_format: str) -> None:
    """Show the documentation of rule CODE (a code like LL101 or a name like router-imports-repository)."""
    from layerlint.rules import RULES, RULES_BY_CODE, RULES_BY_NAME
    from layerlint.rules.docs import severity_line

    if every_rule == (code is not None):
        raise click.UsageError("give a rule CODE or --all, not both" if every_rule else "give a rule CODE or --all")
    found = RULES if every_rule else [RULES_BY_CODE.get(str(code).upper()) or RULES_BY_NAME.get(str(code).lower())]
    if found[0] is None:
        raise LayerlintError(f"unknown rule `{code}`; `layerlint rules` lists every code and name")
    chosen = [rule for rule in found if rule is not None]
    if output_format == "json":
        objects = [{"code": r.code, "name": r.name, "summary": r.summary, "severity": r.severity.value,
                    "docs": r.docs} for r in chosen]
        click.echo(json.dumps(objects if every_rule else objects[0], indent=2))
        return
    click.echo("\n\n".join(f"# {r.code} {r.name}\n\n{r.summary}.\n\n{severity_line(r)}\n\n{r.docs}" for r in chosen))


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_LISTING_FORMAT
def roles(path: Path | None, output_format: str) -> None:
    """Show every module (under PATH, if given) with its role and why."""
    from layerlint import engine, listing

    try:  # the roles are assigned when first read: a configured name that names nothing is found then
        loaded = [engine.listed_project(target.config, target.paths) for target in _listed_targets(path)]
        assigned = {module: role for project, shown in loaded for module, role in project.roles.items()
                    if shown(module)}
        notes = [note for project, _ in loaded for note in listing.notes(project)]
    except ConfigError as error:
        raise LayerlintError(str(error)) from error
    if output_format == "json":
        click.echo(json.dumps([{"module": module, "role": assigned[module].role, "reason": assigned[module].reason,
                                "program": assigned[module].program} for module in sorted(assigned)], indent=2))
        _echo_notes(notes, err=True)
        return
    width = max((len(m) for m in assigned), default=10)
    for module in sorted(assigned):
        role = assigned[module]
        click.echo(f"{module:<{width}}  {role.role or '-':<10}  {role.reason}")
    _echo_notes(notes)


def _listed_targets(path: Path | None) -> list[Target]:
    """The projects `roles` and `routes` list, found as `check` finds them: a directory that is
    no project stands for the projects below it (its warnings go to stderr)."""
    targets = _targets_for((path,) if path else ())
    _warn([warning for target in targets for warning in target.warnings])
    return targets


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_LISTING_FORMAT
def routes(path: Path | None, output_format: str) -> None:
    """List every route (whose handler is under PATH, if given): method, full path, handler, session, response."""
    from layerlint import engine, listing

    try:
        loaded = [engine.listed_project(target.config, target.paths) for target in _listed_targets(path)]
        rows = [r for project, shown in loaded for r in listing.routes(project) if shown(r.handler.partition(":")[0])]
        notes = [note for project, _ in loaded for note in listing.notes(project)]  # e.g. why a session is unknown
    except ConfigError as error:
        raise LayerlintError(str(error)) from error
    if output_format == "json":
        click.echo(json.dumps([{"method": r.method, "path": r.path, "handler": r.handler, "session": r.session,
                                "response_model": r.response_model} for r in rows], indent=2))
        _echo_notes(notes, err=True)
        return
    header = ("METHOD", "PATH", "HANDLER", "SESSION", "RESPONSE")
    table = [header, *((r.method, r.path, r.handler, r.session, r.response_model) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    _echo_notes(notes)


def _echo_notes(notes: list[str], *, err: bool = False) -> None:
    """Notes go to stderr in `check`, whose stdout is the findings."""
    for note in notes:
        click.echo(f"note: {note}", err=err)


@main.command()
def server() -> None:
    """Run the language server over stdin and stdout (needs `pip install 'layerlint[server]'`)."""
    try:
        from layerlint.integrations.lsp import main as serve
    except ImportError as error:
        if error.name not in ("pygls", "lsprotocol") and not str(error.name).startswith(("pygls.", "lsprotocol.")):
            raise
        raise LayerlintError(f"the language server needs {error.name}: pip install 'layerlint[server]'") from error
    serve()
