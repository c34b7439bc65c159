"""快递100 as the shop's tracking provider, over HTTP (the formats are in `kuaidi100`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import aiohttp

from oms_client.couriers import kuaidi100
from oms_client.couriers.kuaidi100 import ALREADY_SUBSCRIBED, ANSWER_TAKEN, CODES, sign
from oms_client.couriers.provider import BadPush, BadSignature, Push
from oms_client.domain import Courier
from oms_client.imports.records import TrackingUpdate

log = logging.getLogger(__name__)


class Kuaidi100:
    name: ClassVar[str] = "kuaidi100"
    codes: Mapping[Courier, str] = CODES

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base: str,
        key: str,
        salt: str,
        callback_url: str,
        zone: ZoneInfo,
        customer: str = "",
    ) -> None:
        self.session, self.base, self.key, self.salt = session, base.rstrip("/"), key, salt
        self.callback_url, self.zone, self.customer = callback_url, zone, customer
        self.can_query = bool(customer)  # queries are signed with the customer id

    async def query(self, courier: Courier, number: str, phone: str) -> list[TrackingUpdate] | None:
        """SF wants the receiver's phone (its last four digits do)."""
        param = json.dumps({"com": CODES[courier], "num": number, "phone": phone[-4:], "resultv2": "1"})
        form = {"customer": self.customer, "sign": sign(param + self.key + self.customer), "param": param}
        answer = await self._post("/poll/query.do", form, courier)
        if not isinstance(answer, dict) or "returnCode" in answer or not isinstance(answer.get("data"), list):
            log.info("快递100 had nothing for a %s waybill: %s", courier, str(answer)[:120])
            return None
        return kuaidi100.scans(answer, self.zone)

    async def subscribe(self, courier: Courier, number: str, phone: str) -> bool:
        parameters = {"callbackurl": self.callback_url, "salt": self.salt, "resultv2": "1", "phone": phone[-4:]}
        param = json.dumps({"company": CODES[courier], "number": number, "key": self.key, "parameters": parameters})
        answer = await self._post("/poll", {"schema": "json", "param": param}, courier)
        code = str(answer.get("returnCode", "")) if isinstance(answer, dict) else ""
        if (isinstance(answer, dict) and answer.get("result") is True) or code == ALREADY_SUBSCRIBED:
            return True
        log.warning("快递100 refused a %s subscription: %s %s", courier, code, str(answer)[:120])
        return False

    def read_push(self, form: Mapping[str, str]) -> Push:
        return kuaidi100.read_push(form, self.salt, self.zone)

    def answer(self, error: BadPush | None) -> dict[str, Any]:
        if error is None:
            return ANSWER_TAKEN
        code = "401" if isinstance(error, BadSignature) else "400"
        return {"result": False, "returnCode": code, "message": str(error)[:100]}

    async def _post(self, path: str, form: dict[str, str], courier: Courier) -> Any:
        try:
            async with self.session.post(f"{self.base}{path}", data=form) as response:
                return await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("快递100 %s for a %s waybill failed: %s", path, courier, type(error).__name__)
            return None
