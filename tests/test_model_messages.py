"""What LL3xx messages say, where the fixtures' markers only pin the line."""

from __future__ import annotations

from harness import FIXTURES, run_fixture


def _messages(fixture: str, code: str) -> dict[str, str]:
    """Model name (the message's first backticked word, before the dot) -> message."""
    found = run_fixture(FIXTURES / fixture, (code,))
    return {d.message.split("`")[1].split(".")[0]: d.message for d in found if d.path.endswith("model.py")}


def test_id_message_names_each_missing_part() -> None:
    messages = _messages("ll301/ids_fire", "LL301")
    assert messages["Counter"] == ("`Counter.id` is not a prefixed ULID: its type is `Optional[int]`, not `str`; "
                                   "it has no default factory (`default_factory=new_<entity>_id`)")
    assert "the prefix `Order-` does not match `^[a-z]{2,5}_$`" in messages["Shouty"]
    assert "it is not the primary key" in messages["Loose"]
    assert "(inherited from `UlidIdMixin`)" in messages["Note"]
    assert "the prefix `COUPON-` does not match" in messages["Coupon"]  # through functools.partial


def test_alias_primary_key_is_read_through_both_branches() -> None:
    assert _messages("ll301/ids_fire", "LL301")["Flake"] == (
        "`Flake.id` is not a prefixed ULID: its type is `int` (`Mapped[flake_pk]`), not `str`; "
        "it has no default factory (`default=new_<entity>_id`)")


def test_soft_delete_message_names_the_mixin() -> None:
    messages = [d.message for d in run_fixture(FIXTURES / "ll302/soft_delete_missing", ("LL302",))]
    assert any("inherit `SoftDeleteMixin` from `app.models.mixins`" in m for m in messages)


def test_boolean_flag_as_soft_delete_column() -> None:
    project = FIXTURES / "ll402/boolean_flag"
    assert not run_fixture(project, ("LL302", "LL303"))  # a NOT NULL flag is what a flag is
    (finding,) = run_fixture(project, ("LL402",))
    assert "add `.where(Post.is_deleted.is_(False))`" in finding.message
