"""Two processes of one shop share WeChat's access token: one fetch between them, and one refresh when the
platform refuses it (a second fetch would void the first process's token). Two apps on one store stand for
two `serve` processes: each keeps its own copy of the token, as a process would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.bootstrap import App, bootstrap
from bot.channels.tencent.api import TencentApi
from bot.channels.wechat.channel import WeChatChannel
from bot.settings import Settings
from oms_client.clock import FixedClock
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.fakes.wechat import AES_KEY, APP_ID, APP_SECRET, TOKEN, FakeWeChat

SEND = "/cgi-bin/message/custom/send"


@asynccontextmanager
async def serving(database: Database, wechat: FakeWeChat) -> AsyncIterator[App]:
    settings = Settings(wechat_token=TOKEN, wechat_appid=APP_ID, wechat_secret=APP_SECRET, wechat_aes_key=AES_KEY,
                        wechat_api_base=wechat.base)  # fmt: skip
    app = await bootstrap(settings, clock=FixedClock(NOW), database=database)
    try:
        yield app
    finally:
        await app.clients.close()


def api(app: App) -> TencentApi:
    found = app.channels["wechat"]
    assert isinstance(found, WeChatChannel)
    return found.api


async def send(to: TencentApi, openid: str, text: str) -> None:
    """A customer-service message, as the WeChat channel sends one (its reply window aside)."""
    await to.call(SEND, {"touser": openid, "msgtype": "text", "text": {"content": text}})


async def test_two_processes_fetch_one_token_between_them_and_refresh_it_once(database: Database) -> None:
    wechat = FakeWeChat()
    await wechat.start()
    try:
        async with AsyncExitStack() as stack:
            first, second = [api(await stack.enter_async_context(serving(database, wechat))) for _ in "ab"]
            await asyncio.gather(send(first, "o-a", "您好"), send(second, "o-b", "您好"))
            assert wechat.tokens_issued == 1  # both at once, one fetch; the other waited for it
            wechat.expire_token = True  # the platform refuses the token (as after a rotation elsewhere)
            await send(first, "o-a", "第二条")
            assert wechat.tokens_issued == 2
            await send(second, "o-b", "第二条")  # its copy is refused: it takes the new one from the store
            assert wechat.tokens_issued == 2
        assert sorted(d.content for d in wechat.delivered) == sorted(["您好", "您好", "第二条", "第二条"])
    finally:
        await wechat.stop()
