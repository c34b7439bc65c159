"""Settings from `XIAOER_*` environment variables and a `.env` file (the contract in DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.pushers.telegram import TELEGRAM_API_BASE
from bot.pushers.wecom import WECOM_API_BASE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XIAOER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///xiaoer.db"
    shop_config: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    telegram_token: str | None = None
    telegram_api_base: str = TELEGRAM_API_BASE
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_api_base: str = WECOM_API_BASE
