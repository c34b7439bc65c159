"""What every tracking provider (快递100, 快递鸟, …) is to the app: it follows waybills, pushes their scans to a
callback it signs, and answers a query about one waybill. The app picks one per shop; the subscription job,
the callback and the query fallback speak only this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from oms_client.domain import Courier
from oms_client.imports.records import TrackingUpdate

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # how both aggregators write a scan's time, in Beijing time


class BadPush(Exception):
    """Not a push this reader understands; nothing is stored."""


class BadSignature(BadPush):
    """Not signed with the shop's secret: anyone could have sent it."""


@dataclass(frozen=True)
class Push:
    """What one push said: the scans, and the waybills the provider gave up following (to subscribe again)."""

    scans: list[TrackingUpdate]
    dropped: list[str] = field(default_factory=list)


class TrackingProvider(Protocol):
    name: ClassVar[str]  # in its callback's path, /couriers/{name}
    codes: Mapping[Courier, str]  # our couriers it follows, by its own company codes
    can_query: bool  # whether its real-time query is configured

    async def subscribe(self, courier: Courier, number: str, phone: str) -> bool:
        """True once the provider follows the waybill (newly or already); False to try again later. SF's
        tracking wants the last digits of the receiver's phone."""
        ...

    async def query(self, courier: Courier, number: str, phone: str) -> list[TrackingUpdate] | None:
        """The waybill's scans now, or None when the provider has none or cannot answer; BadPush when its
        answer cannot be read."""
        ...

    def read_push(self, form: Mapping[str, str]) -> Push:
        """The push's content once its signature holds; BadSignature or BadPush otherwise."""
        ...

    def answer(self, error: BadPush | None) -> dict[str, Any]:
        """The body a push is answered with, in the provider's words: taken (it stops retrying) or refused."""
        ...


def moment(written: str, zone: ZoneInfo) -> datetime:
    try:
        return datetime.strptime(written, TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        raise BadPush(f"an event's time is not {TIME_FORMAT}: {written[:30]!r}") from None
