"""An editor's language server runs pylint (or flake8) in its own process, run after run: each
run must see the files as they are then, not the project as the first run found it."""

from __future__ import annotations

from pathlib import Path

from integration_helpers import copy_catalog, run

SCRIPT = '''
import io
from contextlib import redirect_stdout
from pathlib import Path

from flake8.main.application import Application
from pylint.lint import Run

DRAFTS = "app/api/routers/drafts.py"


def pylint_output():
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        Run(["--load-plugins=layerlint.pylint_plugin", "--disable=all", "--enable=layerlint", "--score=n",
             DRAFTS], exit=False)
    return buffer.getvalue()


def flake8_output():
    output = Path(f"flake8-{len(list(Path().glob('flake8-*.txt')))}.txt")  # flake8 appends to the file
    Application().run(["--select", "LL", "--output-file", str(output), DRAFTS])
    return output.read_text()


before = pylint_output(), flake8_output()
main = Path("app/main.py")
main.write_text(main.read_text().replace("products, search", "drafts, products, search")
                + 'app.include_router(drafts.router, prefix="/api/v1")\\n')
after = pylint_output(), flake8_output()
print(["LL207" in text for text in before], ["LL207" in text for text in after])
'''


def test_second_run_in_the_same_process_sees_the_edit(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    completed = run(root, "python", "-c", SCRIPT)
    assert completed.stdout.strip().splitlines()[-1] == "[True, True] [False, False]", completed.stdout + completed.stderr
