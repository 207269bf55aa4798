"""What LL3xx messages say, where the fixtures' markers only pin the line."""

from __future__ import annotations

from pathlib import Path

from harness import FIXTURES, run_fixture


def _messages(fixture: str, code: str) -> dict[str, str]:
    """Model name (the message's first backticked word, before the dot) -> message."""
    found = run_fixture(FIXTURES / fixture, (code,))
    return {d.message.split("`")[1].split(".")[0]: d.message for d in found if d.path.endswith(("model.py", "mixins.py"))}


def test_id_message_names_each_missing_part() -> None:
    messages = _messages("ll301/ids_fire", "LL301")
    assert messages["Counter"] == ("`Counter.id` is not a prefixed ULID: its type is `Optional[int]`, not `str`; "
                                   "it has no default factory (`default_factory=new_<entity>_id`)")
    assert "the prefix `Order-` does not match `^[a-z]{2,5}_$`" in messages["Shouty"]
    assert "it is not the primary key" in messages["Loose"]
    assert "`UlidIdMixin.id` (inherited by 1 table model: `Note`)" in messages["UlidIdMixin"]
    assert "(also inherited by 1 table model: `DraftCopy`)" in messages["Draft"]
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


def test_a_prefix_longer_than_any_real_one_never_matches(tmp_path: Path) -> None:
    """What bounds the id-prefix regex's work on a hostile source file, whatever the pattern."""
    from layerlint import engine
    from layerlint.core.config import load_config
    from layerlint.core.options import RunOptions

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.layerlint.models]\nid-prefix = "^a*_$"\n')
    model = tmp_path / "app" / "models.py"
    model.parent.mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    classes = [f"class M{length}(SQLModel, table=True):\n"
               f"    id: str = Field(default_factory=lambda: f\"{'a' * length}_{{ULID()}}\", primary_key=True)\n"
               for length in (63, 64)]  # with the underscore: 64 and 65 characters
    model.write_text("from sqlmodel import Field, SQLModel\nfrom ulid import ULID\n\n\n" + "\n\n".join(classes))
    found = engine.check(load_config(tmp_path), options=RunOptions(use_cache=False)).diagnostics
    assert [d.message.split("`")[1] for d in found if d.code == "LL301"] == ["M64.id"]
