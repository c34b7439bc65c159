"""Replies cut and shaped for Telegram, and updates read back, without a network."""

from __future__ import annotations

import base64

from bot.channels.telegram.api import telegram_bot
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.render import CALLBACK_LIMIT_BYTES, TEXT_LIMIT, bodies
from bot.channels.text_split import split_text
from handlers.messages import Attachment, Button, Image, Reply


def test_long_text_is_split_at_line_ends_within_the_limit() -> None:
    text = "\n".join(f"{i:05d} 订单 · 已发货 · 顺丰速运 SF1234567890123" for i in range(400))
    chunks = split_text(text, TEXT_LIMIT)
    assert len(chunks) > 1 and all(len(chunk) <= TEXT_LIMIT for chunk in chunks)
    assert "\n".join(chunks) == text


def test_a_single_line_longer_than_the_limit_is_cut_without_losing_a_character() -> None:
    text = "很" * 9_000
    chunks = split_text(text, TEXT_LIMIT)
    assert [len(chunk) for chunk in chunks] == [4096, 4096, 808]
    assert "".join(chunks) == text


def test_buttons_go_under_the_last_part_and_long_payloads_become_indexes() -> None:
    long_payload = "查一下 " + "很长的订单说明" * 10
    reply = Reply("行\n" * 3_000, (Button("查物流", "查物流"), Button("详情", long_payload)))
    out = bodies([reply])
    assert [bool(body["buttons"]) for body in out] == [False, True]
    [[first, second]] = out[-1]["buttons"]
    assert first == ["查物流", "查物流"] and second == ["详情", "#1"]
    assert all(len(data.encode()) <= CALLBACK_LIMIT_BYTES for _, data in out[-1]["buttons"][0])


def test_an_image_is_sent_as_a_photo_before_its_text() -> None:
    out = bodies([Reply("日报", image=Image(b"\x89PNG...", caption="销售日报"))])
    assert base64.b64decode(out[0]["photo"]) == b"\x89PNG..." and out[0]["caption"] == "销售日报"
    assert out[1]["text"] == "日报"


async def test_a_photo_arrives_as_an_image_attachment_with_its_caption() -> None:
    bot = telegram_bot("123456:TEST", "http://127.0.0.1:9")
    update = {
        "update_id": 7,
        "message": {
            "message_id": 3,
            "date": 1_790_000_000,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "顾客"},
            "caption": "收到的杯子碎了",
            "photo": [
                {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90},
                {"file_id": "large", "file_unique_id": "b", "width": 1280, "height": 1280},
            ],
        },
    }
    message = await TelegramChannel(bot).translate(update)
    await bot.session.close()
    assert message is not None
    assert message.text == "收到的杯子碎了" and message.attachments == (Attachment("image", "large"),)
    assert (message.chat_id, message.user_id) == ("42", "42")
