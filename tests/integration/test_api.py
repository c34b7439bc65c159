"""The ingestion API over HTTP, on SQLite and PostgreSQL: only with the token, batches upserted by natural key
with each bad item named, what comes in answerable in chat at once, cases and alerts out, and an OpenAPI
document that validates."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from openapi_spec_validator import validate

from bot.bootstrap import App
from bot.settings import Settings
from oms_client.case_rules import CaseKind
from oms_client.clock import FixedClock
from oms_client.domain import OrderState, Platform
from oms_client.sql.database import Database
from tests.conftest import NOW, SHANGHAI
from tests.helpers import app_on_loopback, ask, send

TOKEN = "api-token-for-the-erp-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def order(order_id: str = "300123456789", **changes: Any) -> dict[str, Any]:
    base = {
        "platform": "jd",
        "order_id": order_id,
        "status": "paid",
        "created_at": "2026-11-20T10:15:00+08:00",
        "paid_at": "2026-11-20T10:16:30+08:00",
        "receiver": {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市",
                     "district": "西湖区", "address": "文三路 90 号"},
        "lines": [{"sku": "TSHIRT-W-M", "title": "纯棉T恤 白色 M", "qty": 2, "price": "59.00"}],
    }  # fmt: skip
    return base | changes


@dataclass
class Api:
    app: App
    base: str
    http: aiohttp.ClientSession

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        async with self.http.post(
            f"{self.base}/api/v1{path}", data=data, headers=AUTH if headers is None else headers
        ) as r:
            return r.status, await r.json(content_type=None)

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(f"{self.base}/api/v1{path}", headers=AUTH) as response:
            body = await response.text()
            return response.status, json.loads(body) if response.content_type == "application/json" else body


@pytest_asyncio.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    serving = app_on_loopback(Settings(api_token=TOKEN), database, FixedClock(NOW))
    async with serving as (app, base), aiohttp.ClientSession() as http:
        yield Api(app, base, http)


async def test_without_the_token_nothing_is_taken(api: Api, database: Database) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-0000000000"}, {"Authorization": TOKEN}):
        status, body = await api.post("/orders", {"orders": [order()]}, headers)
        assert status == 401 and "Bearer" in body["error"]
    assert await api.app.store.find_orders("300123456789") == []


async def test_the_api_is_off_when_no_token_is_set(database: Database) -> None:
    async with app_on_loopback(Settings(), database, FixedClock(NOW)) as (_, base):
        status = await _status(f"{base}/api/v1/openapi.json")
    assert status == 404


async def _status(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url, headers=AUTH) as response:
        return response.status


async def test_an_order_sent_twice_is_kept_once_and_a_newer_one_updates_it_in_place(api: Api) -> None:
    assert await api.post("/orders", {"orders": [order()]}) == (200, {"created": 1, "updated": 0, "unchanged": 0,
                                                                      "errors": []})  # fmt: skip
    assert (await api.post("/orders", {"orders": [order()]}))[1]["unchanged"] == 1
    shipped = order(status="shipped", shipments=[{"courier": "京东快递", "tracking_no": "JDX000123456789"}])
    assert (await api.post("/orders", {"orders": [shipped]}))[1]["updated"] == 1
    [found] = await api.app.store.find_orders("300123456789")
    assert (found.state, found.total, [s.tracking_no for s in found.shipments]) == (
        OrderState.SHIPPED, 118, ["JDX000123456789"]
    )  # fmt: skip


async def test_a_bad_item_is_named_by_index_and_field_and_the_rest_are_taken(api: Api) -> None:
    bad_phone = order("300000000001", receiver=order()["receiver"] | {"phone": "call me"})
    bad_courier = order("300000000002", shipments=[{"courier": "飞鸽传书", "tracking_no": "XX123456789"}])
    status, body = await api.post("/orders", {"orders": [order(), bad_phone, bad_courier]})
    assert status == 200 and body["created"] == 1
    assert [e["index"] for e in body["errors"]] == [1, 2]
    assert body["errors"][0]["error"].startswith("receiver.phone:")
    assert body["errors"][1]["error"].startswith("shipments.0.courier:")
    assert await api.app.store.find_orders("300000000001") == []


async def test_a_presale_order_comes_in_with_its_terms_and_its_balance_paid_starts_its_promise(api: Api) -> None:
    terms = {"deposit": "30.00", "balance_from": "2026-11-25T00:00:00+08:00",
             "balance_due": "2026-11-27T23:59:59+08:00", "ship_days": 15}  # fmt: skip
    no_terms = order("300000000003", status="deposit_paid")
    deposit = order(status="deposit_paid", paid_at=None, presale=terms)
    status, body = await api.post("/orders", {"orders": [deposit, no_terms]})
    assert (status, body["created"]) == (200, 1)
    assert body["errors"][0]["index"] == 1 and "presale" in body["errors"][0]["error"]
    answer = await ask(api.app.dialogue, "订单 300123456789 怎么样了") and await ask(api.app.dialogue, "8000")
    assert "预售商品，您已付定金 ¥30.00" in answer and "尾款 11月25日 00:00 开始支付，11月27日 23:59 截止" in answer
    paid = order(paid_at="2026-11-26T09:00:00+08:00", presale=terms)  # the balance, paid in its window
    assert (await api.post("/orders", {"orders": [paid]}))[1]["updated"] == 1
    [found] = await api.app.store.find_orders("300123456789")
    assert found.state is OrderState.PAID and found.presale is not None
    assert found.promised_ship_by == datetime(2026, 12, 11, 9, 0, tzinfo=SHANGHAI)  # 15 days after the balance


async def test_a_body_that_is_not_a_batch_is_refused_whole(api: Api) -> None:
    assert (await api.post("/orders", b"{not json"))[0] == 400
    status, body = await api.post("/orders", {"order": [order()]})
    assert (status, body["field"]) == (422, "orders")
    status, body = await api.post("/orders", {"orders": [order(f"3{n:011d}") for n in range(1001)]})
    assert (status, body["field"]) == (422, "orders")
    huge = b'{"orders": [' + b" " * (5 * 1024 * 1024) + b"]}"
    assert (await api.post("/orders", huge))[0] == 413
    assert await api.app.store.count_orders() == 0


async def test_an_order_and_its_parcel_scans_sent_in_are_answered_in_chat_at_once(api: Api) -> None:
    shipped = order(status="shipped", shipments=[{"courier": "顺丰速运", "tracking_no": "SF1234567890123"}])
    await api.post("/orders", {"orders": [shipped]})
    scan = {"courier": "SF", "tracking_no": "SF1234567890123", "time": "2026-11-21T08:00:00+08:00",
            "state": "in_transit", "text": "快件已到达【杭州转运中心】", "location": "杭州"}  # fmt: skip
    unknown = scan | {"tracking_no": "SF9999999999999"}
    status, body = await api.post("/tracking", {"events": [scan, scan, unknown]})
    assert (status, body["created"], body["unchanged"], [e["index"] for e in body["errors"]]) == (200, 1, 1, [2])
    await ask(api.app.dialogue, "订单 300123456789 到哪了")
    assert "杭州转运中心" in await ask(api.app.dialogue, "8000")
    signed = scan | {"time": "2026-11-22T15:00:00+08:00", "state": "signed", "text": "已签收，签收人：本人"}
    await api.post("/tracking", {"events": [signed]})
    [found] = await api.app.store.find_orders("300123456789")
    assert found.state is OrderState.DELIVERED


async def test_stock_is_set_to_the_count_sent(api: Api) -> None:
    levels = [{"sku": "TSHIRT-W-M", "warehouse": "HZ1", "on_hand": 120}, {"sku": "CAP-RED", "warehouse": "HZ1",
                                                                          "on_hand": 5}]  # fmt: skip
    assert (await api.post("/stock", {"stock": levels}))[1]["created"] == 2
    levels[1]["on_hand"] = 3
    result = (await api.post("/stock", {"stock": levels}))[1]
    assert (result["updated"], result["unchanged"]) == (1, 1)


async def test_stock_with_its_restock_and_product_lets_a_customer_at_risk_wait_or_switch(api: Api) -> None:
    await api.post("/orders", {"orders": [order()]})  # two white M T-shirts, paid
    restock = "2026-11-26T12:00:00+08:00"
    levels = [{"sku": "TSHIRT-W-M", "warehouse": "HZ1", "on_hand": 0, "restock_at": restock, "product": "TSHIRT"},
              {"sku": "TSHIRT-W-L", "warehouse": "HZ1", "on_hand": 30, "product": "TSHIRT"}]  # fmt: skip
    assert (await api.post("/stock", {"stock": levels}))[1]["created"] == 2
    assert (await api.post("/stock", {"stock": levels}))[1]["unchanged"] == 2
    await ask(api.app.dialogue, "订单 300123456789 怎么还不发货")
    replies = await send(api.app.dialogue, "8000")
    assert "预计 11月26日 补货到仓" in replies[-1].text
    assert [b.label for b in replies[-1].buttons] == ["等待补货", "换成 TSHIRT-W-L", "取消订单并退款"]


async def test_cases_and_alerts_come_out(api: Api) -> None:
    await api.post("/orders", {"orders": [order()]})
    case = await api.app.store.file_case(Platform.JD, "300123456789", CaseKind.CANCEL, "不想要了", {}, "web:v1", NOW)
    status, body = await api.get("/cases?state=requested&since=2026-01-01T00:00:00%2B08:00")
    assert status == 200 and [(c["id"], c["order_id"], c["kind"]) for c in body["cases"]] == [
        (case.id, "300123456789", "cancel")
    ]  # fmt: skip
    assert (await api.get("/cases?since=yesterday"))[0] == 422
    assert (await api.get("/alerts"))[1] == {"alerts": []}


async def test_the_openapi_document_validates_and_the_docs_page_reads_it(api: Api) -> None:
    status, document = await api.get("/openapi.json")
    assert status == 200
    validate(document)
    assert set(document["paths"]) == {"/orders", "/tracking", "/stock", "/cases", "/alerts"}
    status, page = await api.get("/docs")
    assert status == 200 and "POST /api/v1/orders" in page and "TrackingEventIn" in page


@pytest.mark.parametrize("path", ["/orders", "/tracking", "/stock"])
async def test_an_empty_batch_is_refused_naming_its_field(api: Api, path: str) -> None:
    key = {"/orders": "orders", "/tracking": "events", "/stock": "stock"}[path]
    assert await api.post(path, {key: []}) == (422, {"error": f"expected {{{key!r}: [...]}} with 1 to 1000 items",
                                                     "field": key})  # fmt: skip
