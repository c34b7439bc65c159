"""Settings from `XIAOER_*` environment variables and a `.env` file (the contract in DESIGN.md)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XIAOER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///xiaoer.db"
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
