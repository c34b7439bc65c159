"""Logging with the conversation id on every line."""

from __future__ import annotations

import logging

from handlers.context import conversation_id

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(conversation)s] %(message)s"


class ConversationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation = conversation_id.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ConversationFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
