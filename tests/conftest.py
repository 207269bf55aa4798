import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Fixture projects are data, never test modules: tests/fixtures/never_run/conftest.py would exit.
collect_ignore = ["fixtures"]
