"""Typed facts and their stored form: every expression kind survives the cache's JSON, and the
stored layout is the compact one the cache has always kept."""

from __future__ import annotations

import ast
import json
import typing

import pytest

from layerlint.cache.storage import dumps
from layerlint.project.reading import compact, expr
from layerlint.project.reading.compact import decode_facts, decode_unread, encode_facts, split_stored, valid_facts
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Constant,
    Expr,
    Name,
    Span,
    calls_in,
    walk,
)
from layerlint.project.reading.extract import extract
from layerlint.project.reading.facts import ModuleFacts

# One statement per expression kind (and a deep chain, kept as Unknown("deep")).
SOURCE = '''
async def every_kind(items, key):
    a = items.first
    b = run(items, *rest, flag=True, **options)
    c = items[1:2:3]
    d = (1, "two", 3.0, None, ...)
    e = [b, c]
    f = {a, b}
    g = {"k": a, **options}
    h = a + b | c
    i = a and not b
    j = a < b is not c
    k = f"{a!r} and {b:>{width}}"
    m = lambda x: x
    n = await fetch(a)
    o = a if b else c
    p = (q := compute())
    r = [x for x in items if x]
    s = {x: y for x, y in pairs}
    t = (yield a)
    u = ~a
    v = b"bytes"
    w = ''' + "-".join(["a"] * 40) + '''
'''


def _facts() -> ModuleFacts:
    return extract(ModuleFacts("m", "m.py", False), ast.parse(SOURCE), SOURCE)


def _kinds(facts: ModuleFacts) -> set[type]:
    return {type(node) for function in facts.functions for event in function.events
            for part in (event.target, event.value) for node in walk(part, into_lambdas=True)}


def test_every_expression_kind_survives_the_cache() -> None:
    facts = _facts()
    assert _kinds(facts) == set(typing.get_args(Expr)), "SOURCE should build every kind"
    stored = json.loads(json.dumps(encode_facts(facts)))
    decoded = decode_facts(stored)
    assert decoded == facts
    assert isinstance(decoded.functions[0].events[1].value, Call)
    assert isinstance(decoded.functions[0].events[1].span, Span)


@pytest.mark.parametrize("literal, value", [("1e999", float("inf")), ('"caf\u00e9"', "caf\u00e9"),
                                            ('"\\ud800"', "\ud800")])
def test_what_json_has_no_word_for_survives_the_cache_writer(literal: str, value: object) -> None:
    """The cache's writer (msgspec) writes a float that is not finite as null and text beyond ASCII
    as UTF-8: the facts keep such a float as its text, and the writer leaves such text to json."""
    source = f"def f():\n    name = {literal}\n"
    facts = extract(ModuleFacts("m", "m.py", False), ast.parse(source), source)
    assert facts.functions[0].events[0].value == Constant(value)
    text = dumps(encode_facts(facts))
    assert text.isascii()  # a shard's offsets count characters as bytes
    assert decode_facts(json.loads(text)) == facts
    # The reader's fast decoder refuses an escaped lone surrogate: json reads that text instead.
    assert decode_facts(compact.read_json(text)) == facts == decode_unread(*split_stored(text))


def test_stored_layout_is_the_compact_list_form_with_the_bodies_last() -> None:
    head, bodies = encode_facts(_facts())
    function = head[7][0]  # ModuleFacts.functions, the only function
    assert function[0] == "every_kind" and function[10] == []  # its events are in `bodies`
    value = bodies[0][0][4]  # the function's first event's value: `items.first`
    assert value == ["a", ["n", "items"], "first"]
    assert json.loads(json.dumps(bodies[0][1][4]))[0] == "c"


def test_facts_read_with_their_bodies_left_as_text_equal_facts_decoded_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A run after an edit leaves the bodies of the modules it does not re-check unread: they are
    decoded, all of a module's at once, when the first is read."""
    source = SOURCE + "\n\ndef second():\n    return 1\n"
    facts = extract(ModuleFacts("m", "m.py", False), ast.parse(source), source)
    text = dumps(encode_facts(facts))
    read = compact._read_bodies
    reads: list[int] = []
    monkeypatch.setattr(compact, "_read_bodies", lambda text, functions: reads.append(functions) or read(text, functions))
    unread = decode_unread(*split_stored(text))
    assert reads == [] and unread.module == "m"
    assert unread.functions[1].events == facts.functions[1].events
    assert reads == [2]
    assert unread == facts == decode_facts(json.loads(text))
    assert reads == [2]


def test_bodies_that_do_not_fit_their_functions_are_refused_when_read() -> None:
    facts = _facts()
    head, _ = split_stored(dumps(encode_facts(facts)))
    unread = decode_unread(head, "[]")  # one function, no bodies
    with pytest.raises(ValueError, match="bodies"):
        unread.functions[0].events  # noqa: B018 -- the read is the test


def test_the_deep_shape_check_accepts_stored_facts_and_rejects_a_bad_expression_or_span() -> None:
    stored = json.loads(json.dumps(encode_facts(_facts())))
    assert valid_facts(stored, deep=True)
    event = stored[1][0][0]  # the function's first event: [kind, span, loop, target, value, ...]
    event[4] = ["no such kind", "items"]
    assert not valid_facts(stored, deep=True)
    event[4] = ["n", "items"]
    event[1] = event[1][:3]
    assert not valid_facts(stored, deep=True)


def test_walk_and_calls_in_go_outermost_first_in_source_order() -> None:
    call = Call(Attribute(Call(Name("f"), [], {}, Span(1, 1, 1, 4)), "g"),
                [Name("x"), Call(Name("h"), [], {}, Span(1, 9, 1, 12))], {"k": Constant(1)}, Span(1, 1, 1, 20))
    assert [type(node).__name__ for node in walk(call)] == [
        "Call", "Attribute", "Call", "Name", "Name", "Call", "Name", "Constant"]
    assert [c.span.column for c in calls_in(call)] == [1, 1, 9]
    assert expr.render(call) == "f().g(x, h(), k=1)"


SIGNATURE = '''
@router.get(
    "/items",
    response_model=Page[Item],
)
async def read_items(
    cursor: str,
) -> Page[Item]:
    return await load(cursor)


def plain(x: int):
    return x
'''


def test_signature_positions_survive_the_cache() -> None:
    """The return annotation's and each decorator keyword's position are facts, stored and read back."""
    facts = extract(ModuleFacts("m", "m.py", False), ast.parse(SIGNATURE), SIGNATURE)
    stored = json.loads(json.dumps(encode_facts(facts)))
    assert valid_facts(stored, deep=True)
    read_items, plain = decode_facts(stored).functions
    assert read_items.returns_span == Span(8, 6, 8, 16)
    assert read_items.decorator_keywords == [{"response_model": Span(4, 5, 4, 30)}]
    assert plain.returns_span is None and plain.decorator_keywords == []


def test_equal_strings_of_decoded_facts_are_one_object() -> None:
    """Decoded facts share their strings (an import's kind and target, an event's kind, a parameter's
    name, an attribute's name, a keyword): JSON decoding makes a new object for every occurrence,
    which at 1M lines held 3.7 million strings of 209 thousand values."""
    source = ("from app.models import Item\n"
              "def one(session, item: Item):\n    x = session.query.first(key=1)\n    return x\n"
              "def two(session, item: Item):\n    y = session.query.first(key=2)\n    return y\n")
    stored = json.loads(json.dumps(encode_facts(extract(ModuleFacts("m", "m.py", False), ast.parse(source), source))))
    again = json.loads(json.dumps(stored))
    first, second = decode_facts(stored), decode_facts(again)
    one, two = first.functions
    assert one.params[0].name is two.params[0].name is second.functions[0].params[0].name
    assert one.params[0].kind is two.params[1].kind
    assert one.events[0].kind is two.events[0].kind
    assert first.imports[0].target is second.imports[0].target and first.imports[0].kind is second.imports[0].kind
    calls = [event.value for function in (one, two) for event in function.events if isinstance(event.value, Call)]
    keywords = [next(iter(call.kwargs)) for call in calls]
    assert keywords[0] is keywords[1]
    attributes = [call.func.attr for call in calls if isinstance(call.func, Attribute)]
    assert len(attributes) == 2 and attributes[0] is attributes[1]


def test_decoded_facts_share_one_empty_list_and_dict_that_refuse_changes() -> None:
    """Empty lists and dicts are most of the containers of decoded facts (a call's keywords, a
    function's decorators): one of each is shared, and it says so when something would change it."""
    source = "def one():\n    return run()\n\ndef two():\n    return run()\n"
    stored = json.loads(json.dumps(encode_facts(extract(ModuleFacts("m", "m.py", False), ast.parse(source), source))))
    one, two = decode_facts(stored).functions
    assert one.decorators == [] and one.decorators is two.decorators is one.params
    calls = [event.value for event in (*one.events, *two.events) if isinstance(event.value, Call)]
    assert len(calls) == 2 and calls[0].kwargs == {} and calls[0].kwargs is calls[1].kwargs
    assert calls[0].args is one.decorators
    with pytest.raises(TypeError):
        one.decorators.append(Name("x"))
    with pytest.raises(TypeError):
        calls[0].kwargs["key"] = Name("x")
    assert two.decorators == []


@pytest.mark.parametrize(("source", "mentions"), [
    ("def wire(app, router):\n    app.include_router(router)\n", ["include_router"]),
    # Python reads identifiers in NFKC: this is `app.include_router(router)`.
    ("def wire(app, router):\n    app.\uff49nclude_router(router)\n", ["include_router"]),
    ("def wire(app, router):\n    app.mount('/', router)  # caf\u00e9\n", []),
    ("from fastapi import FastAPI as Api\n\ndef create_app():\n    return Api()\n", ["FastAPI"]),
])
def test_a_module_mentions_each_name_it_can_call(source: str, mentions: list[str]) -> None:
    """The route table walks only the modules that mention `include_router`, the roles look for an
    app factory only in those that mention `FastAPI`: one that calls it must say so, however the
    name is spelled, and survive the cache."""
    facts = extract(ModuleFacts("m", "m.py", False), ast.parse(source), source)
    assert facts.mentions == mentions
    assert decode_facts(json.loads(json.dumps(encode_facts(facts)))).mentions == mentions
