"""The WeCom sides of the chat port: app messages to staff (`message/send`) and 微信客服 replies to
WeChat customers (`kf/send_msg`, within the window in `reply_window`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.channels.reply_window import ReplyWindow
from bot.channels.tencent.api import TencentApi, media_file, text_or_image
from bot.channels.wecom.render import app_bodies, kf_bodies
from bot.channels.wecom.translate import APP_CHANNEL, KF_CHANNEL, app_message, kf_message, welcome_code
from handlers.messages import IncomingMessage, Reply
from notifications.push import Undeliverable
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore, Pace
from oms_client.clock import Clock

# WeCom allows an app 30 messages a minute to one member.
APP_PACE = Pace(interval=timedelta(seconds=2), burst=timedelta(seconds=4))
KF_PACE = Pace(interval=timedelta(milliseconds=200))


class WeComAppChannel:
    name = APP_CHANNEL
    reply_hold = timedelta(0)

    def __init__(self, api: TencentApi, agent_id: int) -> None:
        self.api, self.agent_id = api, agent_id

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return app_message(payload)

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return app_bodies(replies)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        message = {"touser": chat_id, "agentid": self.agent_id} | await self._content(body)
        answer = await self.api.call("/cgi-bin/message/send", message)
        invalid = str(answer.get("invaliduser") or "")
        if invalid and set(invalid.split("|")) >= set(chat_id.split("|")):  # an alert goes to "a|b": one may be gone
            raise Undeliverable(f"not a member who can see the app: {invalid}")

    async def fetch_media(self, ref: str) -> bytes:
        return await media_file(self.api, ref)

    def pace(self, chat_id: str) -> Pace:
        return APP_PACE

    async def _content(self, body: dict[str, Any]) -> dict[str, Any]:
        if "markdown" in body:  # an alert push
            return {"msgtype": "markdown", "markdown": {"content": body["markdown"]}}
        if "card" in body:
            card = body["card"]
            buttons = [{"text": label, "style": 1, "key": key} for label, key in card["buttons"]]
            template = {"card_type": "button_interaction", "main_title": {"title": "请选择"}}
            return {
                "msgtype": "template_card",
                "template_card": template | {"task_id": card["task_id"], "button_list": buttons},
            }
        return await text_or_image(self.api, body)


class WeComKfChannel:
    name = KF_CHANNEL
    reply_hold = timedelta(0)

    def __init__(self, api: TencentApi, inbox: InboxStore, outgoing: OutgoingStore, clock: Clock) -> None:
        self.api = api
        self.window = ReplyWindow(KF_CHANNEL, inbox, outgoing, clock)

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return kf_message(payload)

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return kf_bodies(replies)

    def answer(self, message: IncomingMessage, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A welcome must go out with the entering event's one-time code: the customer has not written yet,
        so send_msg would be refused. The code takes one text or menu message."""
        code = welcome_code(dict(message.raw))
        if code is None or not bodies or "image" in bodies[0]:
            return bodies
        return [bodies[0] | {"welcome_code": code}, *bodies[1:]]

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        if "welcome_code" in body:
            content = await self._content(body)
            await self.api.call("/cgi-bin/kf/send_msg_on_event", {"code": body["welcome_code"]} | content)
            return
        await self.window.check(chat_id)
        open_kfid, customer = chat_id.split("|", 1)
        message = {"touser": customer, "open_kfid": open_kfid} | await self._content(body)
        await self.api.call("/cgi-bin/kf/send_msg", message)

    async def fetch_media(self, ref: str) -> bytes:
        return await media_file(self.api, ref)

    def pace(self, chat_id: str) -> Pace:
        return KF_PACE

    async def _content(self, body: dict[str, Any]) -> dict[str, Any]:
        if "menu" in body:
            menu = body["menu"]
            choices = [
                {"type": "click", "click": {"id": str(i), "content": c}} for i, c in enumerate(menu["choices"], 1)
            ]
            return {"msgtype": "msgmenu", "msgmenu": {"head_content": menu["head"], "list": choices}}
        return await text_or_image(self.api, body)
