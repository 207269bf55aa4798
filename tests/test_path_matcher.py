"""Discovery tests each directory once with one combined pattern; that must equal `match_path`."""

from __future__ import annotations

from layerlint.core.config import DEFAULT_EXCLUDES
from layerlint.core.globs import any_path_matcher, match_path

PATTERNS = (*DEFAULT_EXCLUDES, "app/legacy", "scripts/*.py", "app/**/generated_*.py", "tools/",
            "**/gen_*/**", "**/a/b/**")
PATHS = ("app/main.py", "app/tests/test_x.py", "app/legacy/old.py", "app/legacy", "scripts/run.py",
         "scripts/sub/run.py", "app/a/b/generated_models.py", "app/generated_x.py", "tools/x.py",
         "app/test_items.py", "app/items_test.py", "app/conftest.py", ".venv/lib/x.py", "app/.venv-3/x.py",
         "app/domain/items/service.py", "app/migrations/versions/1.py", "src/app/build/x.py",
         "app/gen_x/y.py", "app/gen_x", "x/a/b/c.py", "x/a/c.py", "app/.venv_x.py", "tests")


def excluded_by_walk(path: str) -> bool:
    """What `discover` does: each parent directory tested as it is entered, then the file."""
    matches = any_path_matcher(PATTERNS)
    parts = path.split("/")
    return any(matches("/".join(parts[:i])) for i in range(1, len(parts) + 1))


def test_combined_matcher_equals_match_path_with_directory_pruning() -> None:
    for path in PATHS:
        assert excluded_by_walk(path) == any(match_path(p, path) for p in PATTERNS), path


def test_no_patterns_match_nothing() -> None:
    assert not any_path_matcher(())("app/main.py")


def test_the_first_module_glob_in_one_expression_is_the_first_tried_in_order() -> None:
    """Roles test a module's name against every glob in one regular expression: it must pick the
    glob testing them one by one picks, where several match (`app.services.x` is matched by
    `**.services.**` and by a configured `app.**` before it) and where none does."""
    from hypothesis import given
    from hypothesis import strategies as st

    from layerlint.core.config import DEFAULT_ROLE_GLOBS
    from layerlint.core.globs import first_module_matcher, match_module

    globs = ["app.**", "*.main", "app.api.*.routes", "**.x*", *(g for gs in DEFAULT_ROLE_GLOBS.values() for g in gs)]
    segment = st.sampled_from(["app", "api", "v1", "services", "routes", "models", "main", "x_service", "deps", "a"])

    @given(st.lists(st.integers(0, len(globs) - 1), max_size=12, unique=True), st.lists(segment, min_size=1, max_size=5))
    def check(chosen: list[int], parts: list[str]) -> None:
        patterns = [globs[index] for index in chosen]
        module = ".".join(parts)
        expected = next((index for index, pattern in enumerate(patterns) if match_module(pattern, module)), None)
        assert first_module_matcher(patterns)(module) == expected

    check()
