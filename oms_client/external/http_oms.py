"""The order-lookup API an external OMS answers (`XIAOER_OMS_URL`), as xiaoer documents it for integrators:

    GET {XIAOER_OMS_URL}/orders?order_id=<the platform's order number>
    Authorization: Bearer {XIAOER_OMS_TOKEN}
    200 {"orders": [<an order, in the shape POST /api/v1/orders takes>]}   (several platforms may share a number)
    404, or 200 with an empty list: the OMS holds no such order

The shape is the ingestion API's on purpose: a system that can push orders to the bot can also answer for them.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp
from pydantic import ValidationError

from oms_client.imports.records import ImportedOrder
from oms_client.imports.wire import OrderIn, imported

log = logging.getLogger(__name__)


class OmsUnavailable(Exception):
    """The OMS did not answer usably; the message says how, without the URL (it may hold a key)."""


class HttpOms:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str | None, timeout: float = 3) -> None:
        self.session, self.base_url, self.token = session, base_url.rstrip("/"), token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def lookup(self, order_no: str) -> list[ImportedOrder]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = f"{self.base_url}/orders?order_id={quote(order_no)}"
        try:
            async with self.session.get(url, headers=headers, timeout=self.timeout) as response:
                if response.status == 404:
                    return []
                if response.status != 200:
                    raise OmsUnavailable(f"the OMS answered HTTP {response.status}")
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise OmsUnavailable(f"the OMS is unreachable: {type(error).__name__}") from None
        return _orders(body, order_no)


def _orders(body: object, order_no: str) -> list[ImportedOrder]:
    """The orders the answer holds for this number; one it cannot read is left out, and logged."""
    items = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise OmsUnavailable("the OMS answered without an orders list")
    found = []
    for item in items:
        try:
            order = OrderIn.model_validate(item)
        except ValidationError as error:
            log.warning("the OMS's order %s is not readable: %s", order_no, error.errors()[0]["msg"])
            continue
        if order.order_id == order_no:
            found.append(imported(order))
    return found
