"""Officers compose, preview, confirm, schedule and follow broadcasts in a Telegram chat."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.app import running
from tests.broadcast.conftest import QUESTION
from tests.broadcast.test_delivery import OPERATORS, settings_for, subscribe, wait_done
from tests.fakes.telegram_api import FakeTelegram

OFFICER = 777001
ADMIN = 777009
CITIZEN = 424242
UNIT = "UBND phường Ba Đình"


class OfficerChat:
    """The officer's private chat with the bot, through the real webhook."""

    def __init__(self, state, fake: FakeTelegram, user: int = OFFICER) -> None:
        self.state, self.fake, self.user = state, fake, user

    async def _post(self, update: dict) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                self.state.base_url + "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"},
            ) as response,
        ):
            assert response.status == 200

    async def say(self, text: str) -> dict:
        await self._post(self.fake.text_update(self.user, self.user, text))
        return self.fake.sent_messages(self.user)[-1]

    async def press(self, data: str) -> dict:
        message_id = self.fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
        await self._post(self.fake.callback_update(self.user, self.user, data, message_id))
        return self.fake.sent_messages(self.user)[-1]


def buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_compose_preview_confirm_and_progress(store_url, answerer) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(
            fake, store_url, officers=f"telegram:{OFFICER}={UNIT}", admins=f"telegram:{ADMIN}"
        )
        async with running(settings, answerer) as state:
            store = state.store
            local = await subscribe(store, 3, area="ba dinh")  # as citizens' choices are kept
            others = await subscribe(store, 2, area="hoan kiem", first=620_000)
            officer = OfficerChat(state, fake)

            assert "Soạn thông báo" in (await officer.say("/thongbao"))["text"]
            ask = await officer.say("Mời bà con dự hội nghị lúc 8h sáng Chủ nhật tại nhà văn hóa.")
            assert "o:aud:area" in buttons(ask)
            assert "xã/phường" in (await officer.press("o:aud:area"))["text"]
            count = await officer.say("Ba Đình")
            assert "Sẽ gửi tới 3 người" in count["text"] and "o:now" in buttons(count)
            await officer.press("o:now")
            sent = fake.sent_messages(OFFICER)
            assert "Xem trước" in sent[-3]["text"]
            assert sent[-2]["text"].startswith("Mời bà con dự hội nghị")  # as citizens see it
            assert "o:ok" in buttons(sent[-1]) and "3 người" in sent[-1]["text"]
            assert fake.sent_messages(local[0]) == []  # nothing before the confirmation

            status = await officer.press("o:ok")
            assert "#1" in status["text"] and "o:pause:1" in buttons(status)
            progress = await wait_done(store, 1)
            assert progress["sent"] == 3
            for chat in local:
                assert "hội nghị" in fake.sent_messages(chat)[-1]["text"]
            for chat in others:
                assert fake.sent_messages(chat) == []
            edited = await fake.wait_for(
                lambda c: c.method == "editMessageText" and "Đã gửi xong" in c.params["text"],
                timeout=60,
            )
            assert "đã gửi 3/3" in edited.params["text"]

            report = await officer.say("/baocao")
            assert UNIT in report["text"] and "1/10" in report["text"]
            actions = [action for _, action, _, _ in await store.audit_entries()]
            assert "compose" in actions and "broadcast" in actions


async def test_scheduled_listed_cancelled_and_sent_on_time(store_url, answerer) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, officers=f"telegram:{OFFICER}={UNIT}")
        async with running(settings, answerer) as state:
            store = state.store
            people = await subscribe(store, 2)
            officer = OfficerChat(state, fake)
            at = datetime.now(UTC) + timedelta(hours=2)
            local = at.astimezone(state.dispatcher.officers.zone)
            for text in ("Tin hẹn giờ thứ nhất", "Tin hẹn giờ thứ hai"):
                await officer.say("/thongbao")
                await officer.say(text)
                await officer.press("o:aud:all")
                await officer.press("o:later")
                confirm = await officer.say(local.strftime("%H:%M %d/%m/%Y"))
                assert "lúc" in confirm["text"]
                assert "Đã hẹn gửi" in (await officer.press("o:ok"))["text"]

            listing = await officer.say("/lichgui")
            assert "hẹn giờ" in listing["text"]
            assert "đã hủy" in (await officer.press("o:cancel:2"))["text"]
            assert (await store.get_broadcast(2)).state == "cancelled"

            await state.dispatcher.officers.start_due(at + timedelta(minutes=1))
            await wait_done(store, 1)
            assert [m["text"] for m in fake.sent_messages(people[0])] == ["Tin hẹn giờ thứ nhất"]


async def test_non_officers_are_refused_and_logged(store_url, answerer) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, admins=f"telegram:{ADMIN}")
        async with running(settings, answerer) as state:
            citizen = OfficerChat(state, fake, CITIZEN)
            assert "chỉ dành cho cán bộ" in (await citizen.say("/thongbao"))["text"]
            assert "chỉ dành cho cán bộ" in (await citizen.say("/baocao"))["text"]
            entries = await state.store.audit_entries()
            assert [a for _, a, _, _ in entries].count("refused") == 2

            admin = OfficerChat(state, fake, ADMIN)
            added = await admin.say(f"/themcanbo telegram:{CITIZEN} UBND phường Kim Mã")
            assert "Đã thêm cán bộ" in added["text"]
            assert "Soạn thông báo" in (await citizen.say("/thongbao"))["text"]
            # The officer added by command continues the dialogue with plain text.
            assert "Gửi tới ai?" in (await citizen.say("Lịch họp tổ dân phố"))["text"]
            assert "Đã hủy" in (await citizen.say("/huy"))["text"]
            # An ordinary question still reaches the answer engine.
            answer = await citizen.say(QUESTION)
            assert "42.000 USD" in answer["text"] and answerer.asked == [(QUESTION, None)]

            # The "/" menu: citizens never see officer commands; an added officer does,
            # until removed; the admin also sees the roster commands.
            def menu(user: int | None) -> set[str]:
                scope = {"type": "default"} if user is None else {"type": "chat", "chat_id": user}
                key = (json.dumps(scope, sort_keys=True), "")
                return {c["command"] for c in fake.commands.get(key, [])}

            assert "dangky" in menu(None) and "thongbao" not in menu(None)
            assert {"thongbao", "themcanbo"} <= menu(ADMIN)
            assert "thongbao" in menu(CITIZEN) and "themcanbo" not in menu(CITIZEN)
            await admin.say(f"/xoacanbo telegram:{CITIZEN}")
            assert menu(CITIZEN) == set()


async def test_month_report_as_csv(store_url, answerer, tmp_path) -> None:
    import csv
    import io

    from bot.broadcast.report import print_report

    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url)
        async with running(settings, answerer) as state:
            store = state.store
            chats = await subscribe(store, 2)
            for n in range(2):
                broadcast = await store.create_broadcast(
                    f"telegram:{OFFICER}", f"Tin {n}", {}, unit=UNIT
                )
                await store.enqueue_broadcast(broadcast.id)
            state.delivery.wake.set()
            await wait_done(store, 2)
            person = await store.find_person("telegram", str(chats[0]))
            await store.add_message(person.id, "in", "hội nghị ở đâu ạ?", "question")
        out = io.StringIO()
        month = datetime.now(UTC).astimezone(state.dispatcher.officers.zone).strftime("%Y-%m")
        assert await print_report(settings, month, True, out) == 0
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert rows[0]["don_vi"] == UNIT and rows[0]["so_tin"] == "2"
        assert rows[0]["chi_tieu"] == "10" and rows[0]["dat_chi_tieu"] == "khong"
        assert rows[0]["so_luot_nhan"] == "4" and rows[0]["cau_hoi_24h"] == "2"


async def test_the_final_report_is_retried_until_telegram_takes_it(store_url, answerer) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, officers=f"telegram:{OFFICER}={UNIT}")
        async with running(settings, answerer) as state:
            await subscribe(state.store, 2)
            officer = OfficerChat(state, fake)
            await officer.say("/thongbao")
            await officer.say("Lịch tiếp công dân tháng 12.")
            await officer.press("o:aud:all")
            await officer.press("o:now")
            # Every edit of the status is refused for a while: flood control, then a timeout.
            fake.fail_next("editMessageText", 429, retry_after=1, times=2)
            fake.fail_next("editMessageText", 500, times=1)
            await officer.press("o:ok")
            await wait_done(state.store, 1)
            edited = await fake.wait_for(
                lambda c: (
                    c.method == "editMessageText" and c.ok and "Đã gửi xong" in c.params["text"]
                ),
                timeout=60,
            )
            assert "đã gửi 2/2" in edited.params["text"]
            refused = [c for c in fake.calls_to("editMessageText") if not c.ok]
            assert len(refused) == 3
            for _ in range(600):  # marked reported right after the edit went through
                if await state.store.kv_get("reported:1"):
                    break
                await asyncio.sleep(0.1)
            assert await state.store.kv_get("reported:1")
