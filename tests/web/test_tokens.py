"""Visitor tokens: only what this server signed names a visitor; stream tokens expire."""

from __future__ import annotations

from bot.store.memory import MemoryStore
from bot.web.visitors import STREAM_TOKEN_SECONDS, VisitorTokens


def test_signed_tokens_name_their_visitor_and_nothing_else_does() -> None:
    tokens, other = VisitorTokens("secret-a"), VisitorTokens("secret-b")
    visitor = tokens.new_visitor()
    assert tokens.visitor_of(tokens.token(visitor)) == visitor
    for forged in (
        visitor,  # bare
        other.token(visitor),  # another deployment's secret
        f"{visitor}.{'0' * 32}",
        tokens.token(visitor)[:-1] + "x",
        "",
        None,
        "…" * 40,
    ):
        assert tokens.visitor_of(forged) is None


def test_stream_tokens_expire() -> None:
    tokens = VisitorTokens("secret-a")
    visitor = tokens.new_visitor()
    stream = tokens.stream_token(visitor, now=1_000_000.0)
    assert tokens.streamer_of(stream, now=1_000_000.0 + STREAM_TOKEN_SECONDS - 1) == visitor
    assert tokens.streamer_of(stream, now=1_000_000.0 + STREAM_TOKEN_SECONDS + 1) is None
    assert tokens.visitor_of(stream) is None  # a stream token is not a visitor token
    assert tokens.streamer_of(tokens.token(visitor)) is None


async def test_every_process_of_a_deployment_shares_one_secret() -> None:
    store = MemoryStore()
    first, second = await VisitorTokens.load(store), await VisitorTokens.load(store)
    visitor = first.new_visitor()
    assert second.visitor_of(first.token(visitor)) == visitor


def test_bodies_are_json_a_database_can_store() -> None:
    import pytest

    from bot.inputs import Malformed, parse_json

    assert parse_json(b'{"t": "a\\ud800b\\u0000c", "k\\udfff": [1.5]}') == {
        "t": "a\ufffdbc",
        "k\ufffd": [1.5],
    }
    assert parse_json('{"t": "😀 \\ud83d\\ude00"}'.encode()) == {"t": "😀 😀"}  # pairs stay
    for bad in (b"[NaN]", b"[Infinity]", b"[1e400]", b"[" * 40 + b"]" * 40, b"\xff", b"{"):
        with pytest.raises(Malformed):
            parse_json(bad)
