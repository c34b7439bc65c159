"""Logging with the conversation id on every line, and without the secrets that URLs carry."""

from __future__ import annotations

import logging
import re

from handlers.context import conversation_id

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(conversation)s] %(message)s"
# Tencent's token calls carry the app secret in the query string, and the Bot API carries the bot token in
# the path: an error that names such a URL (a redirect, a refused connection) must not print either.
_QUERY = re.compile(r"(https?://[^\s?#'\"<>]*)\?[^\s'\"<>]*")
_BOT_TOKEN = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """`text` with URLs' query strings and Telegram bot tokens cut out."""
    return _BOT_TOKEN.sub("/bot…", _QUERY.sub(r"\1?…", text))


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class ConversationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation = conversation_id.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ConversationFilter())
    handler.setFormatter(RedactingFormatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # APScheduler announces every job it adds ("Adding job tentatively", "Added job") and every run ("executed
    # successfully", a heartbeat every few seconds); alembic says which SQL dialect it found at each start.
    # Their warnings (a run missed, one still running) and errors still show; slow runs are logged by
    # notifications.scheduler, and `db upgrade` says what it applied.
    quiet = max(logging.WARNING, logging.getLogger().level)
    for noisy in ("apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(quiet)
