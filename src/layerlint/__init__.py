"""layerlint: architecture linter for FastAPI backends."""

__version__ = "0.1.0"
