"""快递鸟 as the shop's tracking provider, over HTTP (the formats are in `kdniao`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import aiohttp

from oms_client.clock import Clock
from oms_client.couriers import kdniao
from oms_client.couriers.kdniao import CODES, QUERY, QUERY_PATH, SUBSCRIBE, SUBSCRIBE_PATH, form, request_data
from oms_client.couriers.provider import TIME_FORMAT, BadPush, Push
from oms_client.domain import Courier
from oms_client.imports.records import TrackingUpdate

log = logging.getLogger(__name__)


class Kdniao:
    name: ClassVar[str] = "kdniao"
    codes: Mapping[Courier, str] = CODES
    can_query = True

    def __init__(
        self, session: aiohttp.ClientSession, base: str, business_id: str, api_key: str, zone: ZoneInfo, clock: Clock
    ) -> None:
        self.session, self.base, self.business_id, self.api_key = session, base.rstrip("/"), business_id, api_key
        self.zone, self.clock = zone, clock

    async def query(self, courier: Courier, number: str, phone: str) -> list[TrackingUpdate] | None:
        answer = await self._post(QUERY_PATH, QUERY, request_data(courier, number, phone), courier)
        if not isinstance(answer, dict) or answer.get("Success") is not True or not answer.get("Traces"):
            log.info("快递鸟 had nothing for a %s waybill: %s", courier, str(answer)[:120])
            return None
        return kdniao.scans(answer, self.zone)

    async def subscribe(self, courier: Courier, number: str, phone: str) -> bool:
        answer = await self._post(SUBSCRIBE_PATH, SUBSCRIBE, request_data(courier, number, phone), courier)
        if isinstance(answer, dict) and answer.get("Success") is True:
            return True
        log.warning("快递鸟 refused a %s subscription: %s", courier, str(answer)[:120])
        return False

    def read_push(self, form: Mapping[str, str]) -> Push:
        return kdniao.read_push(form, self.api_key, self.zone)

    def answer(self, error: BadPush | None) -> dict[str, Any]:
        at = self.clock.now().astimezone(self.zone).strftime(TIME_FORMAT)
        reason = "" if error is None else str(error)[:100]
        return {"EBusinessID": self.business_id, "UpdateTime": at, "Success": error is None, "Reason": reason}

    async def _post(self, path: str, request_type: str, data: dict[str, str], courier: Courier) -> Any:
        body = form(self.business_id, self.api_key, request_type, data)
        try:
            async with self.session.post(f"{self.base}{path}", data=body) as response:
                return await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("快递鸟 %s for a %s waybill failed: %s", request_type, courier, type(error).__name__)
            return None
