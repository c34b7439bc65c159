"""快递100's subscription API over HTTP (the format is in `kuaidi100`)."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from oms_client.couriers.kuaidi100 import ALREADY_SUBSCRIBED, sign

log = logging.getLogger(__name__)


class Kuaidi100:
    def __init__(
        self, session: aiohttp.ClientSession, base: str, key: str, salt: str, callback_url: str, customer: str = ""
    ) -> None:
        self.session, self.base, self.key = session, base.rstrip("/"), key
        self.salt, self.callback_url, self.customer = salt, callback_url, customer

    async def query(self, company: str, number: str, phone: str) -> dict[str, Any] | None:
        """The waybill's scans now (a lastResult), or None when 快递100 has none or cannot answer. SF wants the
        receiver's phone (its last four digits do)."""
        param = json.dumps({"com": company, "num": number, "phone": phone[-4:], "resultv2": "1"})
        form = {"customer": self.customer, "sign": sign(param + self.key + self.customer), "param": param}
        try:
            async with self.session.post(f"{self.base}/poll/query.do", data=form) as response:
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("快递100 query of a %s waybill failed: %s", company, type(error).__name__)
            return None
        if not isinstance(answer, dict) or "returnCode" in answer or not isinstance(answer.get("data"), list):
            log.info("快递100 had nothing for a %s waybill: %s", company, str(answer)[:120])
            return None
        return answer

    async def subscribe(self, company: str, number: str) -> bool:
        """True once 快递100 follows the waybill (newly or already); False to try again later."""
        parameters = {"callbackurl": self.callback_url, "salt": self.salt, "resultv2": "1"}
        param = json.dumps({"company": company, "number": number, "key": self.key, "parameters": parameters})
        try:
            async with self.session.post(f"{self.base}/poll", data={"schema": "json", "param": param}) as response:
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("快递100 subscription of a %s waybill failed: %s", company, type(error).__name__)
            return False
        code = str(answer.get("returnCode", "")) if isinstance(answer, dict) else ""
        if (isinstance(answer, dict) and answer.get("result") is True) or code == ALREADY_SUBSCRIBED:
            return True
        log.warning("快递100 refused a %s subscription: %s %s", company, code, str(answer)[:120])
        return False
