"""Settings from `XIAOER_*` environment variables and a `.env` file (the contract in DESIGN.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels.tencent.api import WECHAT_API_BASE
from bot.pushers.wecom import WECOM_API_BASE
from oms_client.couriers.kdniao import API_BASE as KDNIAO_API_BASE
from oms_client.couriers.kuaidi100 import API_BASE as KUAIDI100_API_BASE

TELEGRAM_API_BASE = "https://api.telegram.org"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XIAOER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///xiaoer.db"
    shop_config: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    # The shop's own intent model (`xiaoer nlu train --shop`), read instead of the shipped one when it exists.
    nlu_model: Path = Path("xiaoer-nlu.npz")
    telegram_token: str | None = None
    telegram_api_base: str = TELEGRAM_API_BASE
    # Webhook mode when set (Telegram sends it back in a header; its allowed characters and length).
    telegram_webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    # The public HTTPS address Telegram should call; without it the webhook is left as configured elsewhere.
    telegram_webhook_url: str | None = None
    # Telegram's overall limit on a bot's messages (about 30 a second; more with paid broadcasts).
    telegram_per_second: int = Field(default=30, ge=1, le=1000)
    # The Official Account's callback token (enables /wechat), app id and secret (customer-service messages).
    wechat_token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{3,32}$")
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    # Safe mode's EncodingAESKey (43 characters); without it only plain-mode callbacks are accepted.
    wechat_aes_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{43}$")
    wechat_api_base: str = WECHAT_API_BASE
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_api_base: str = WECOM_API_BASE
    # The app's callback token and EncodingAESKey: with them /wecom takes staff messages and 微信客服 events.
    wecom_token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{3,32}$")
    wecom_aes_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{43}$")
    # The customer chat page at /chat (a shop links it from its site or mini-program).
    web_chat: bool = True
    # Behind a reverse proxy: the header it sets to the client's address (X-Forwarded-For, X-Real-IP). Per-address
    # limits then count the address it names, and X-Forwarded-Proto tells a TLS visit. Unset: the peer address.
    trusted_proxy_header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,64}$")
    # The bearer token of the ingestion API at /api/v1; without one the API is off.
    api_token: str | None = Field(default=None, min_length=16)
    # An external OMS that keeps the shop's orders, asked for an order the store does not hold (and its token).
    oms_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    oms_token: str | None = None
    # 快递100: the authorisation key, the customer id (queries), the salt its pushes are signed with, its address.
    kuaidi100_key: str | None = None
    kuaidi100_customer: str | None = None
    kuaidi100_salt: str | None = Field(default=None, min_length=8, max_length=32)
    kuaidi100_api_base: str = KUAIDI100_API_BASE
    # 快递鸟: the merchant id and the API key its requests and pushes are signed with, its address.
    kdniao_business_id: str | None = None
    kdniao_api_key: str | None = Field(default=None, min_length=8)
    kdniao_api_base: str = KDNIAO_API_BASE
    # The address platforms call back (快递100's pushes are registered under it).
    public_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # Where the seller's systems hear of cancels, new addresses, intercepts and case moves (signed with the secret).
    webhook_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    webhook_secret: str | None = Field(default=None, min_length=16)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Self:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("a Telegram webhook needs XIAOER_TELEGRAM_WEBHOOK_SECRET, or anyone could post updates")
        return self

    @model_validator(mode="after")
    def _events_signed(self) -> Self:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("outbound events need XIAOER_WEBHOOK_SECRET to be signed with")
        return self

    @model_validator(mode="after")
    def _wecom_callback_complete(self) -> Self:
        callback = [self.wecom_token, self.wecom_aes_key, self.wecom_corp_id, self.wecom_secret]
        if any(callback[:2]) and not (all(callback) and self.wecom_agent_id is not None):
            raise ValueError(
                "the WeCom callback needs XIAOER_WECOM_TOKEN, _AES_KEY, _CORP_ID, _SECRET and _AGENT_ID together"
            )
        return self

    @model_validator(mode="after")
    def _wechat_complete(self) -> Self:
        given = [self.wechat_token, self.wechat_appid, self.wechat_secret]
        if any(given) and not all(given):
            raise ValueError("WeChat needs XIAOER_WECHAT_TOKEN, XIAOER_WECHAT_APPID and XIAOER_WECHAT_SECRET together")
        return self


def settings_problems(error: ValidationError) -> list[str]:
    """Each bad setting by its variable and the rule it breaks, never its value: the values are secrets
    (webhook secret, AES keys, tokens) and start-up output ends up in logs."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False, include_context=False):
        names = [f"XIAOER_{part}".upper() for part in detail["loc"] if isinstance(part, str)]
        problems.append(f"{', '.join(names) or 'XIAOER_*'}: {detail['msg']}")
    return problems
