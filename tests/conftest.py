import sys
import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

sys.path.insert(0, str(Path(__file__).parent))

# Fixture projects are data, never test modules: tests/fixtures/never_run/conftest.py would exit.
collect_ignore = ["fixtures"]

# Hypothesis keeps its database and caches in ./.hypothesis by default: never in the source tree.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="layerlint-hypothesis-"))
