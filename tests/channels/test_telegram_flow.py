"""Whole conversations through the real python-telegram-bot client and the fake Telegram API.

The flows run on the fake answerer (``answerer``, tests/channels/conftest.py); the one test of
the real engine's answer and passage through Telegram is marked slow."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.channels import telegram as telegram_channel
from tests.channels.conftest import (
    CITIZEN,
    GOAL,
    OFFICER,
    OPERATORS,
    SECRET,
    bot_settings,
    started,
)
from tests.fakes.answerer import cited, fixed


async def webhook(state, fake, update: dict, secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{state.base_url}/telegram/webhook", json=update, headers=headers) as response,
    ):
        return response.status


def keyboard_actions(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


@pytest.mark.slow
async def test_the_real_engines_answer_and_passage_go_through_telegram(
    fake, database_url, engine
) -> None:
    """The model's own answer (its quote, section and buttons) and the section's whole text,
    as Telegram shows them; the flows below run on the fake answerer."""
    async with started(bot_settings(fake, database_url), engine) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, GOAL))
        answer = fake.sent_messages(CITIZEN)[-1]
        assert "42.000 USD" in answer["text"] and "II.2.2" in answer["text"]
        assert answer["parse_mode"] == "HTML"
        actions = keyboard_actions(answer)
        assert any(a.startswith("fb:dn:") for a in actions) and "handoff" in actions
        assert all(len(a.encode()) <= 64 for a in actions)
        answer_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        full = next(a for a in actions if a.startswith("full:"))
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, full, answer_id))
        passage = fake.sent_messages(CITIZEN)[-1]["text"]
        assert "nguyên văn" in passage and "95.000 USD" in passage


async def test_question_feedback_handoff_operator_reply_and_close(
    fake, database_url, answerer
) -> None:
    name = {"first_name": "Bác Hòa"}
    async with started(bot_settings(fake, database_url), answerer) as state:
        assert fake.calls_to("setWebhook")[-1].params["secret_token"] == SECRET

        assert (
            await webhook(
                state, fake, fake.text_update(CITIZEN, CITIZEN, "/start", first_name="Bác Hòa")
            )
            == 200
        )
        greeting = fake.sent_messages(CITIZEN)[-1]
        assert "Xin chào" in greeting["text"] and "handoff" in keyboard_actions(greeting)

        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, GOAL, **name))
        answer = fake.sent_messages(CITIZEN)[-1]
        assert "42.000 USD" in answer["text"] and "II.2.2" in answer["text"]
        assert answer["parse_mode"] == "HTML"
        actions = keyboard_actions(answer)
        assert any(a.startswith("fb:dn:") for a in actions) and "handoff" in actions
        assert all(len(a.encode()) <= 64 for a in actions)
        answer_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]

        down = next(a for a in actions if a.startswith("fb:dn:"))
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, down, answer_id, **name))
        assert fake.calls_to("answerCallbackQuery"), "every callback is answered"

        full = next(a for a in actions if a.startswith("full:"))
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, full, answer_id, **name))
        passage = fake.sent_messages(CITIZEN)[-1]["text"]
        assert "nguyên văn" in passage and "95.000 USD" in passage

        await webhook(
            state, fake, fake.callback_update(CITIZEN, CITIZEN, "handoff", answer_id, **name)
        )
        notice = fake.sent_messages(CITIZEN)[-1]["text"]
        assert "Đã chuyển yêu cầu #" in notice
        post = fake.sent_messages(OPERATORS)[-1]["text"]
        assert (
            "Bác Hòa" in post
            and "Telegram" in post
            and "muc tieu thu nhap" in post
            and "42.000 USD" in post
        )
        post_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]

        reply = fake.text_update(
            OPERATORS,
            OFFICER,
            "Chào bác, cán bộ phường sẽ gọi lại.",
            first_name="Cán bộ Lan",
            reply_to_message_id=post_id,
        )
        await webhook(state, fake, reply)
        relayed = fake.sent_messages(CITIZEN)[-1]["text"]
        assert "Cán bộ trả lời" in relayed and "cán bộ phường sẽ gọi lại" in relayed

        await webhook(
            state, fake, fake.text_update(CITIZEN, CITIZEN, "Cảm ơn, tôi ở phường Ba Đình", **name)
        )
        follow_up = fake.sent_messages(OPERATORS)[-1]["text"]
        assert "phường Ba Đình" in follow_up
        follow_up_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]

        await webhook(
            state,
            fake,
            fake.text_update(OPERATORS, OFFICER, "/dong", reply_to_message_id=follow_up_id),
        )
        assert "kết thúc" in fake.sent_messages(CITIZEN)[-1]["text"]
        assert "Đã đóng" in fake.sent_messages(OPERATORS)[-1]["text"]

        await webhook(
            state,
            fake,
            fake.text_update(OPERATORS, OFFICER, "Còn gì nữa không?", reply_to_message_id=post_id),
        )
        assert "đã đóng" in fake.sent_messages(OPERATORS)[-1]["text"]

        ticket = await state.store.ticket_for_post(str(OPERATORS), str(post_id))
        assert ticket is not None and ticket.state == "closed" and ticket.closed_by


async def test_forged_webhook_is_rejected_and_nothing_is_stored(
    fake, database_url, answerer
) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        update = fake.text_update(CITIZEN, CITIZEN, "xin chào")
        assert await webhook(state, fake, update, secret="wrong") == 403
        assert await webhook(state, fake, update, secret=None) == 403
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{state.base_url}/telegram/webhook",
                data=b"{not json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response,
        ):
            assert response.status == 400
        assert fake.sent_messages(CITIZEN) == []
        assert await state.store.find_person("telegram", str(CITIZEN)) is None


async def test_duplicate_update_is_processed_once(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        update = fake.text_update(CITIZEN, CITIZEN, "Kế hoạch 57-KH/TU được ban hành ngày nào?")
        assert await webhook(state, fake, update) == 200
        assert await webhook(state, fake, update) == 200
        assert len(fake.sent_messages(CITIZEN)) == 1


async def test_ticket_survives_a_restart(fake, database_url, answerer) -> None:
    settings = bot_settings(fake, database_url)
    async with started(settings, answerer) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "/canbo"))
        post_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        assert "Yêu cầu #" in fake.sent_messages(OPERATORS)[-1]["text"]
    async with started(settings, answerer) as state:
        await webhook(
            state,
            fake,
            fake.text_update(
                OPERATORS, OFFICER, "Xin chào, tôi là cán bộ trực.", reply_to_message_id=post_id
            ),
        )
        assert "cán bộ trực" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(
            state, fake, fake.text_update(CITIZEN, CITIZEN, "Vâng, tôi muốn hỏi về cuộc thi")
        )
        assert "cuộc thi" in fake.sent_messages(OPERATORS)[-1]["text"]


async def test_declined_answer_then_yes_opens_a_ticket(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        await webhook(
            state, fake, fake.text_update(CITIZEN, CITIZEN, "Giá vàng SJC hôm nay bao nhiêu?")
        )
        assert "không tìm thấy" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "có"))
        assert "Đã chuyển yêu cầu #" in fake.sent_messages(CITIZEN)[-1]["text"]
        assert "Giá vàng" in fake.sent_messages(OPERATORS)[-1]["text"]


async def test_two_thumbs_down_in_a_row_hand_over(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        for question in (
            "mục tiêu xuyên suốt xây dựng thủ đô",
            "trung tâm tài chính gắn với không gian nào",
        ):
            await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, question))
            message = fake.calls_to("sendMessage", ok_only=True)[-1].result
            down = next(
                a
                for a in keyboard_actions(fake.sent_messages(CITIZEN)[-1])
                if a.startswith("fb:dn:")
            )
            await webhook(
                state, fake, fake.callback_update(CITIZEN, CITIZEN, down, message["message_id"])
            )
        assert "Đã chuyển yêu cầu #" in fake.sent_messages(CITIZEN)[-1]["text"]
        assert "không hài lòng" in fake.sent_messages(OPERATORS)[-1]["text"]


async def test_bad_input_gets_polite_replies(fake, database_url, answerer) -> None:
    markup = "<b>mục tiêu</b> <script>alert(1)</script> 2045"
    answerer.answers[markup] = cited("I.2", "Thu nhập <trên> 42.000 USD & hơn thế.")
    too_long = "x" * 50_000  # the engine declines it (tests/answering); here: it gets there
    answerer.answers[too_long] = fixed("Tin nhắn của bạn quá dài (50.000 ký tự).")
    async with started(bot_settings(fake, database_url), answerer) as state:
        await webhook(state, fake, fake.sticker_update(CITIZEN, CITIZEN))
        assert "chỉ hỗ trợ câu hỏi bằng chữ" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.photo_update(CITIZEN, CITIZEN))
        assert "chỉ hỗ trợ câu hỏi bằng chữ" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, too_long))
        assert "quá dài" in fake.sent_messages(CITIZEN)[-1]["text"]
        assert answerer.asked[-1] == (too_long, None)  # stored and passed on whole
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, markup))
        reply = fake.sent_messages(CITIZEN)[-1]["text"]
        assert "<script>" not in reply  # sent as escaped HTML text, never as markup
        assert "&lt;trên&gt; 42.000 USD &amp; hơn thế." in reply
        shown = fake.bot_messages(CITIZEN)[-1]["text"]  # what Telegram shows: the text itself
        assert "<trên> 42.000 USD & hơn thế." in shown


async def test_blocked_user_is_marked(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        fake.block_chat(CITIZEN)
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "mục tiêu năm 2045"))
        person = await state.store.find_person("telegram", str(CITIZEN))
        assert person is not None and person.blocked


async def test_flood_limit_sends_one_notice(fake, database_url, answerer) -> None:
    settings = bot_settings(fake, database_url, flood_limit=3, flood_window_seconds=60)
    async with started(settings, answerer) as state:
        for n in range(6):
            await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, f"xin chào lần {n}"))
        texts = [m["text"] for m in fake.sent_messages(CITIZEN)]
        assert len(texts) == 4 and "quá nhanh" in texts[-1]
        stored = await state.store.recent_messages(
            (await state.store.find_person("telegram", str(CITIZEN))).id, 50
        )
        assert (
            sum(1 for m in stored if m.direction == "in") == 6
        )  # nothing the citizen said is lost


async def test_long_operator_reply_is_split_at_the_telegram_limit(
    fake, database_url, answerer
) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "/canbo"))
        post_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        long_reply = " ".join(f"Câu trả lời số {n} của cán bộ." for n in range(400))
        await webhook(
            state,
            fake,
            fake.text_update(OPERATORS, OFFICER, long_reply, reply_to_message_id=post_id),
        )
        pieces = [m["text"] for m in fake.sent_messages(CITIZEN)][-2:]
        assert all(len(p) <= 4096 for p in pieces) and "số 399" in pieces[-1]


async def test_polling_mode_answers(fake, database_url, answerer, monkeypatch) -> None:
    # Stopping waits for the long poll in progress (up to POLL_TIMEOUT): a short one here.
    monkeypatch.setattr(telegram_channel, "POLL_TIMEOUT", 1)
    async with started(bot_settings(fake, database_url, webhook=False), answerer):
        fake.push_update(
            fake.text_update(CITIZEN, CITIZEN, "cuoc thi truc tuyen du kien phat dong thang may")
        )
        message = await fake.wait_for_message(CITIZEN, timeout=60)
        assert "6/2026" in message["text"]
    assert fake.calls_to("deleteWebhook")


async def test_shutdown_finishes_an_update_in_flight(fake, database_url, answerer) -> None:
    answerer.gate = asyncio.Event()  # the answer waits until the bot is stopping
    async with started(bot_settings(fake, database_url), answerer) as state:
        task = asyncio.create_task(
            webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "mục tiêu 2045"))
        )
        for _ in range(2000):  # stop once the question is stored and being answered
            if answerer.asked:
                break
            await asyncio.sleep(0.005)
        assert answerer.asked and not task.done()
        asyncio.get_running_loop().call_later(0.3, answerer.gate.set)
    assert await task == 200
    assert "2045" in fake.sent_messages(CITIZEN)[-1]["text"]


async def test_subscribe_with_the_button_and_unsubscribe_by_typing(
    fake, database_url, answerer
) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        store = state.store
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "/start"))
        greeting = fake.sent_messages(CITIZEN)[-1]
        assert "sub" in keyboard_actions(greeting)
        message_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, "sub", message_id))
        assert "đã đăng ký nhận tin" in fake.sent_messages(CITIZEN)[-1]["text"]
        person = await store.find_person("telegram", str(CITIZEN))
        assert person.subscribed and person.subscribed_at is not None

        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "huy dang ky"))
        assert "đã hủy đăng ký" in fake.sent_messages(CITIZEN)[-1]["text"]
        assert not (await store.find_person("telegram", str(CITIZEN))).subscribed
        # A question that merely starts with the words stays a question.
        question = "đăng ký tham gia cuộc thi trực tuyến thế nào?"
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, question))
        assert "đăng ký nhận tin" not in fake.sent_messages(CITIZEN)[-1]["text"]
        assert answerer.asked[-1] == (question, None)


async def test_typed_commands_stand_in_for_the_buttons(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "muc tieu thu nhap nam 2045"))
        assert "42.000 USD" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "xem nguyen van"))
        assert "nguyên văn" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "👎"))
        person = await state.store.find_person("telegram", str(CITIZEN))
        assert await state.store.recent_feedback(person.id, 1) == [-1]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "Gặp cán bộ"))
        assert "Đã chuyển yêu cầu #" in fake.sent_messages(CITIZEN)[-1]["text"]


async def test_a_reply_the_citizen_cannot_receive_is_reported_to_the_officers(
    fake, database_url, answerer
) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "/canbo"))
        post_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        fake.block_chat(CITIZEN)
        await webhook(
            state,
            fake,
            fake.text_update(OPERATORS, OFFICER, "Chào bác ạ", reply_to_message_id=post_id),
        )
        note = fake.sent_messages(OPERATORS)[-1]["text"]
        assert "Không gửi được" in note
        store = state.store
        person = await store.find_person("telegram", str(CITIZEN))
        assert person.blocked
        last = (await store.recent_messages(person.id, 1))[-1]
        assert last.kind == "operator" and last.delivery == "blocked" and last.delivery_error


async def test_subscribers_pick_topics_and_their_ward(fake, database_url, answerer) -> None:
    async with started(bot_settings(fake, database_url), answerer) as state:
        store = state.store
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "/dangky"))
        reply = fake.sent_messages(CITIZEN)[-1]
        assert "topic:1" in keyboard_actions(reply)
        message_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, "topic:1", message_id))
        assert "kinh tế" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "dang ky chu de cuoc thi"))
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, "đăng ký phường Ba Đình"))
        assert "Ba Đình" in fake.sent_messages(CITIZEN)[-1]["text"]
        person = await store.find_person("telegram", str(CITIZEN))
        assert person.subscribed and person.topics == ("kinh tế", "cuộc thi")
        assert person.area == "ba dinh"
        assert await store.audience({"areas": ["ba dinh"], "topics": ["cuộc thi"]})
