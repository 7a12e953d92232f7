"""Broadcast photos kept as bytes: keyed by the broadcast's photo, found per broadcast,
forgotten when a draft's photo was never used."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from bot.store import Store
from bot.store.columns import utcnow

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


async def test_a_photo_is_kept_once_and_found_by_its_broadcasts(store: Store) -> None:
    await store.keep_photo("file-1", JPEG, "image/jpeg")
    await store.keep_photo("file-1", b"\x89PNG other", "image/png")  # kept already: unchanged
    facts = await store.photo("file-1")
    assert facts is not None and facts.data == b""  # the bytes only when asked
    assert (facts.content_type, facts.size) == ("image/jpeg", len(JPEG))
    assert facts.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert (await store.photo("file-1", with_data=True)).data == JPEG
    assert await store.photo("nothing") is None

    with_photo = await store.create_broadcast("telegram:1", "Có ảnh", {}, photo="file-1")
    lost = await store.create_broadcast("telegram:1", "Ảnh không tải được", {}, photo="file-2")
    text = await store.create_broadcast("telegram:1", "Chỉ chữ", {})
    assert with_photo.has_photo and lost.has_photo and not text.has_photo
    ids = [with_photo.id, lost.id, text.id]
    assert await store.broadcasts_with_photo(ids) == {with_photo.id}
    assert await store.broadcasts_with_photo([]) == set()


async def test_photos_no_broadcast_used_are_forgotten(store: Store) -> None:
    await store.keep_photo("used", JPEG, "image/jpeg")
    await store.keep_photo("abandoned", JPEG, "image/jpeg")
    await store.create_broadcast("telegram:1", "Có ảnh", {}, photo="used")
    assert await store.forget_unused_photos(utcnow() - timedelta(days=7)) == 0  # too recent
    assert await store.forget_unused_photos(utcnow() + timedelta(seconds=1)) == 1
    assert await store.photo("used") is not None and await store.photo("abandoned") is None


async def test_a_web_message_remembers_its_broadcast(store: Store) -> None:
    person = await store.upsert_person("web", "v1", "v1")
    broadcast = await store.create_broadcast("telegram:1", "Tin mới", {})
    message = await store.add_message(
        person.id, "out", "Tin mới", "broadcast", broadcast_id=broadcast.id
    )
    assert message.broadcast_id == broadcast.id
    assert (await store.recent_messages(person.id))[-1].broadcast_id == broadcast.id
