"""Secrets never reach the console or the logs: bad settings are named, not shown; URLs lose their query."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web

from bot.channels.tencent.api import official_account_api
from bot.cli import main
from bot.logs import RedactingFormatter
from notifications.push import PushFailed
from oms_client.clock import FixedClock
from oms_client.sql.database import Database
from oms_client.stores.tokens import SqlTokens
from tests.conftest import NOW
from tests.helpers import serve_on_loopback

AES_KEY = "Secret0123456789Secret0123456789Secret0123-"  # 44 characters: one too many, and a '-'
WEBHOOK_SECRET = "not allowed!secret"
APP_SECRET = "wx-app-secret-7f3a"


def test_a_bad_setting_names_the_variable_and_the_rule_never_the_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XIAOER_WECHAT_AES_KEY", AES_KEY)
    monkeypatch.setenv("XIAOER_TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("XIAOER_TELEGRAM_TOKEN", "123456:tokentokentoken")
    monkeypatch.setenv("XIAOER_TELEGRAM_WEBHOOK_URL", "https://shop.example/telegram/webhook")
    assert main(["db", "upgrade"]) == 2
    printed = capsys.readouterr().err
    assert "XIAOER_WECHAT_AES_KEY" in printed and "XIAOER_TELEGRAM_WEBHOOK_SECRET" in printed
    for secret in (AES_KEY, WEBHOOK_SECRET, "Secret0123", "tokentoken", "not allowed"):
        assert secret not in printed


async def test_a_redirected_token_call_logs_no_secret(caplog: pytest.LogCaptureFixture, database: Database) -> None:
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.rel_url))  # round and round, with the query, as a broken proxy would

    app = web.Application()
    app.router.add_get("/cgi-bin/token", redirect)
    runner, base = await serve_on_loopback(app)
    try:
        async with aiohttp.ClientSession() as session:
            api = official_account_api(session, "wxappid", APP_SECRET, base, SqlTokens(database), FixedClock(NOW))
            with pytest.raises(PushFailed) as failed:
                await api.token()
    finally:
        await runner.cleanup()
    logging.getLogger("test").exception("token call failed", exc_info=failed.value)
    formatted = RedactingFormatter("%(message)s").format(caplog.records[-1])
    assert "TooManyRedirects" in formatted and "/cgi-bin/token" in formatted
    assert APP_SECRET not in formatted and APP_SECRET not in str(failed.value)


def test_log_lines_lose_query_strings_and_bot_tokens() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1,
        "calling %s and %s", ("https://api.weixin.qq.com/cgi-bin/token?appid=a&secret=s3cr3t",
                              "https://api.telegram.org/bot123456:AAH-token_x/sendMessage"), None,
    )  # fmt: skip
    line = RedactingFormatter("%(message)s").format(record)
    assert "s3cr3t" not in line and "AAH-token_x" not in line
    assert "https://api.weixin.qq.com/cgi-bin/token?" in line and "/sendMessage" in line
