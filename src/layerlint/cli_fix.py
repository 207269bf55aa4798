"""`layerlint check`'s fix options (click): `--fix`, `--unsafe-fixes`, `--diff`, `--fix-only` and
`--add-noqa`, collected into one `FixRequest`, and their output. The work is layerlint.fixing's."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from layerlint.core.records import record

if TYPE_CHECKING:
    from layerlint.core.config import Config
    from layerlint.core.diagnostic import Diagnostic
    from layerlint.core.options import RunOptions
    from layerlint.fixing import FixOutcome

_OPTIONS = (
    click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what remains."),
    click.option("--unsafe-fixes", is_flag=True, help="With --fix, --fix-only or --diff: apply unsafe fixes too."),
    click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing "
                                              "(exit 1 if any file would change)."),
    click.option("--fix-only", is_flag=True, help="Apply the fixes and report nothing else (exit 0)."),
    click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to the line of every finding."),
)


@record(frozen=True)
class FixRequest:
    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    fix_only: bool = False
    add_noqa: bool = False

    @property
    def writes_or_diffs(self) -> bool:
        return self.fix or self.diff or self.fix_only or self.add_noqa


def fix_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The five options, handed to `command` as one `fixing: FixRequest` argument."""
    @functools.wraps(command)
    def collect(*args: Any, fix: bool, unsafe_fixes: bool, diff: bool, fix_only: bool, add_noqa: bool,
                **kwargs: Any) -> Any:
        return command(*args, fixing=FixRequest(fix, unsafe_fixes, diff, fix_only, add_noqa), **kwargs)

    for option in reversed(_OPTIONS):
        collect = option(collect)
    return collect


def run(request: FixRequest, config: Config, paths: tuple[Path, ...], options: RunOptions,
        render: Callable[[list[Diagnostic], int], str] | None, quiet: bool = False, *,
        buffers: dict[str, bytes] | None = None,
        reported: Callable[[list[Diagnostic], dict[str, bytes]], list[Diagnostic]] | None = None) -> int:
    """Do what `request` asks; the exit code. `render` prints the findings left in the chosen
    format (None: `--silent`); `quiet` leaves out the summary. `buffers` is standard input, in its
    file's place: as ruff does, its fixed text goes to stdout (or its diff, with `--diff`) and
    the findings left go to stderr. With `reported` (a baseline) only the findings it keeps are fixed."""
    from layerlint import fixing

    if request.add_noqa:
        return _add_noqa(config, paths, options, quiet)
    buffers = buffers or {}
    outcome = fixing.fix_project(config, paths, unsafe=request.unsafe, write=not (request.diff or buffers),
                                 options=options, reported=reported, buffers=buffers)
    for problem in outcome.problems:
        click.echo(f"layerlint: warning: {problem}", err=True)
    if request.diff:
        return _print_diff(outcome, quiet)
    if buffers:
        _print_fixed(outcome, buffers)
    if render is not None and not request.fix_only:
        click.echo(render(outcome.remaining, outcome.files_checked), err=bool(buffers))
    if not quiet:
        click.echo(summary(outcome, request.unsafe), err=True)
    return 1 if outcome.remaining and not request.fix_only else 0


def _print_fixed(outcome: FixOutcome, buffers: dict[str, bytes]) -> None:
    """Standard input's text with the fixes, in its encoding, BOM and line endings (unchanged: as it came)."""
    sys.stdout.flush()
    for path, data in buffers.items():
        fixed = outcome.fixed_text.get(path)
        sys.stdout.buffer.write(data if fixed is None else outcome.original[path].encode(fixed))
    sys.stdout.buffer.flush()


def summary(outcome: FixOutcome, unsafe: bool) -> str:
    """ruff's wording: `Found 5 findings (3 fixed, 2 remaining).` and the hidden unsafe fixes."""
    remaining, fixed = len(outcome.remaining), outcome.fixed_count
    total = remaining + fixed
    text = f"Found {total} {_noun(total, 'finding')} ({fixed} fixed, {remaining} remaining)."
    hidden = 0 if unsafe else outcome.hidden_unsafe()
    if hidden:
        text += f"\n{hidden} hidden {_noun(hidden, 'fix', 'fixes')} can be enabled with the `--unsafe-fixes` option."
    return text


def _print_diff(outcome: FixOutcome, quiet: bool) -> int:
    import difflib

    changed = outcome.changed()
    for path, (before, after) in sorted(changed.items()):
        lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), path, path)
        click.echo("".join(line if line.endswith("\n") else line + "\n" for line in lines), nl=False)
    would = outcome.fixed_count
    if not quiet:
        click.echo(f"Would fix {would} {_noun(would, 'finding')} in {len(changed)} {_noun(len(changed), 'file')}."
                   if would else "No fixes to apply.", err=True)
    return 1 if changed else 0


def _add_noqa(config: Config, paths: tuple[Path, ...], options: RunOptions, quiet: bool) -> int:
    from layerlint import engine, fixing

    outcome = fixing.add_noqa(config, engine.check(config, paths, options=options).diagnostics)
    for problem in outcome.problems:
        click.echo(f"layerlint: warning: {problem}", err=True)
    files = len(outcome.written)
    if not quiet:
        click.echo(f"Added {outcome.added} noqa {_noun(outcome.added, 'directive')} to {files} {_noun(files, 'file')}.")
    return 0


def _noun(count: int, singular: str, plural: str | None = None) -> str:
    return singular if count == 1 else (plural or f"{singular}s")
