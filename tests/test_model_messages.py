"""What LL3xx messages say, where the fixtures' markers only pin the line."""

from __future__ import annotations

from harness import FIXTURES, run_fixture


def _messages(fixture: str, code: str) -> dict[int, str]:
    return {d.line: d.message for d in run_fixture(FIXTURES / fixture, (code,)) if d.path.endswith("model.py")}


def test_id_message_names_each_missing_part() -> None:
    messages = _messages("ll301/ids_fire", "LL301")
    assert messages[19] == ("`Counter.id` is not a prefixed ULID: its type is `Optional[int]`, not `str`; "
                            "it has no default factory (`default_factory=new_<entity>_id`)")
    assert "the prefix `Order-` does not match `^[a-z]{2,5}_$`" in messages[31]
    assert "it is not the primary key" in messages[35]
    assert "(inherited from `UlidIdMixin`)" in messages[46]


def test_alias_primary_key_is_read_through_both_branches() -> None:
    flake = [m for m in _messages("ll301/ids_fire", "LL301").values() if m.startswith("`Flake.id`")]
    assert flake == ["`Flake.id` is not a prefixed ULID: its type is `int` (`Mapped[flake_pk]`), not `str`; "
                     "it has no default factory (`default=new_<entity>_id`)"]


def test_soft_delete_message_names_the_mixin() -> None:
    messages = [d.message for d in run_fixture(FIXTURES / "ll302/soft_delete_missing", ("LL302",))]
    assert any("inherit `SoftDeleteMixin` from `app.models.mixins`" in m for m in messages)
