"""Replies as WeChat messages: one text per turn within 2,048 bytes, buttons as menu links, images apart."""

from __future__ import annotations

from datetime import UTC, datetime

import xmltodict

from bot.channels.wechat.render import TEXT_LIMIT_BYTES, bodies, passive_xml
from bot.channels.wechat.translate import to_message
from handlers.messages import Button, Image, Reply


def test_a_turns_texts_become_one_message_with_buttons_as_links() -> None:
    out = bodies([Reply("第一句"), Reply("第二句", (Button("我的订单", "我的订单"),))])
    assert len(out) == 1
    assert out[0]["text"].startswith("第一句\n\n第二句\n<a href=")


def test_long_chinese_text_is_cut_by_bytes_at_line_ends() -> None:
    lines = [f"订单 {n:04d}：已发货，顺丰速运，运单号 SF{n:012d}" for n in range(120)]
    out = bodies([Reply("\n".join(lines))])
    assert len(out) > 1
    assert all(len(body["text"].encode()) <= TEXT_LIMIT_BYTES for body in out)
    assert "\n".join(body["text"] for body in out) == "\n".join(lines)


def test_an_image_goes_apart_after_the_text_before_it() -> None:
    out = bodies([Reply("销售报表", image=Image(b"png", caption="本周"))])
    assert [sorted(body) for body in out] == [["text"], ["image", "mime"]]
    assert out[0]["text"] == "销售报表\n本周"


def test_button_payloads_cannot_break_out_of_the_link() -> None:
    [body] = bodies([Reply("选一个", (Button('<b>"x"', 'a"><script>'),))])
    assert "<script>" not in body["text"] and "&quot;" in body["text"]


def test_the_passive_reply_survives_a_cdata_terminator_in_the_text() -> None:
    xml = passive_xml({"text": "奇怪的商品名 ]]> 结束"}, "oUser", "gh_shop", datetime(2026, 1, 1, tzinfo=UTC))
    reply = xmltodict.parse(xml)["xml"]
    assert reply["Content"] == "奇怪的商品名 ]]> 结束" and reply["ToUserName"] == "oUser"


def test_typed_slash_commands_work_as_on_telegram() -> None:
    base = {"FromUserName": "oUser", "ToUserName": "gh", "MsgType": "text", "MsgId": "1", "CreateTime": "1"}
    assert to_message(base | {"Content": "/orders"}).command == "orders"  # type: ignore[union-attr]
    assert to_message(base | {"Content": "/订单"}).command is None  # type: ignore[union-attr]
    assert to_message(base | {"Content": "我的订单"}).command is None  # type: ignore[union-attr]
