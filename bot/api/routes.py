"""The ingestion API at /api/v1 (DESIGN: Ingestion API): orders, parcel scans and stock in; cases and alerts out.

Every route wants `Authorization: Bearer $XIAOER_API_TOKEN` (compared in constant time); without a token set the
API is not mounted at all. A body is read up to a limit and refused whole (413) beyond it, so a client cannot
make the process hold more; an envelope that is not `{"orders": [...]}` (1 to 1,000 items) is refused (422,
naming the field). Items are then checked one by one: a bad one is reported by its index and reason and the
rest are taken, each batch in one transaction, upserted by its natural key, so sending a batch again is harmless.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, TypeAdapter, ValidationError

from bot.api.models import (
    BATCH_MAX,
    AlertOut,
    BatchResult,
    CaseOut,
    ItemError,
    Problem,
    StockIn,
    TrackingEventIn,
)
from bot.api.openapi import PREFIX, docs_page, document
from bot.bootstrap import App
from oms_client.case_rules import CaseState
from oms_client.imports.records import StockLevel, TrackingUpdate
from oms_client.imports.wire import OrderIn, imported, known_courier
from oms_client.stores.imports import SqlImports
from oms_client.stores.ingest import SqlIngest

BODY_LIMIT = 4 * 1024 * 1024  # 1,000 orders of a few lines each fit in well under a megabyte
LIST_LIMIT = 500
Item = TypeVar("Item", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refused(Exception):
    """The request as a whole is refused: its status and the problem told to the client."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status, self.problem = status, Problem(error=error, field=field)


@dataclass
class Api:
    app: App
    token: str
    imports: SqlImports
    ingest: SqlIngest

    def mount(self, web_app: web.Application) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/orders", self.orders),
            ("POST", "/tracking", self.tracking),
            ("POST", "/stock", self.stock),
            ("GET", "/cases", self.cases),
            ("GET", "/alerts", self.alerts),
            ("GET", "/openapi.json", self.openapi),
            ("GET", "/docs", self.docs),
        ]
        for method, path, handler in routes:
            web_app.router.add_route(method, PREFIX + path, self._guarded(handler))

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                self._authorize(request)
                return await handler(request)
            except Refused as refused:
                headers = {"WWW-Authenticate": 'Bearer realm="xiaoer"'} if refused.status == 401 else None
                return web.json_response(refused.problem.model_dump(), status=refused.status, headers=headers)

        return guarded

    def _authorize(self, request: web.Request) -> None:
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.token.encode()):
            raise Refused(401, "a valid Authorization: Bearer token is required")

    async def orders(self, request: web.Request) -> web.Response:
        items, errors = _checked(await _items(request, "orders"), OrderIn)
        summary = await self.imports.upsert_orders([imported(order) for _, order in items], self.app.clock.now())
        return _result(summary.created, summary.updated, summary.unchanged, errors)

    async def tracking(self, request: web.Request) -> web.Response:
        items, errors = _checked(await _items(request, "events"), TrackingEventIn)
        taken = await self.ingest.add_tracking([_scan(event) for _, event in items])
        errors |= {items[position][0]: error for position, error in taken.errors.items()}
        return _result(taken.created, taken.updated, taken.unchanged, errors)

    async def stock(self, request: web.Request) -> web.Response:
        items, errors = _checked(await _items(request, "stock"), StockIn)
        taken = await self.ingest.set_stock(
            [StockLevel(s.sku, s.warehouse, s.on_hand, s.restock_at, s.product) for _, s in items]
        )
        return _result(taken.created, taken.updated, taken.unchanged, errors)

    async def cases(self, request: web.Request) -> web.Response:
        state = _query(request, "state", TypeAdapter(CaseState | None))
        since = _query(request, "since", TypeAdapter(AwareDatetime | None))
        found = await self.app.store.cases_changed(state, since, LIST_LIMIT)
        cases = [
            CaseOut(id=c.id, platform=c.platform, order_id=c.order_no, kind=c.kind, state=c.state, reason=c.reason,
                    created_at=c.created_at, updated_at=c.updated_at).model_dump(mode="json")
            for c in found
        ]  # fmt: skip
        return web.json_response({"cases": cases})

    async def alerts(self, request: web.Request) -> web.Response:
        if request.query.get("status", "open") != "open":
            raise Refused(422, "only status=open is served: alerts not yet resolved", "status")
        found = await self.app.alerts.open_alerts(limit=LIST_LIMIT)
        alerts = [AlertOut.model_validate(alert, from_attributes=True).model_dump(mode="json") for alert in found]
        return web.json_response({"alerts": alerts})

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(document())

    async def docs(self, request: web.Request) -> web.Response:
        return web.Response(text=docs_page(), content_type="text/html")


def mount_api(web_app: web.Application, app: App) -> None:
    """The API, when a token is set; with none there is nothing at /api/v1 to guess at."""
    token = app.settings.api_token
    if not token:
        return
    writer = SqlImports(app.database, app.shop.alerts.thresholds.ship_within)
    Api(app, token, writer, SqlIngest(app.database)).mount(web_app)


async def _items(request: web.Request, key: str) -> list[Any]:
    """The envelope's list, read within the size limit."""
    if request.content_length is not None and request.content_length > BODY_LIMIT:
        raise Refused(413, f"the body is over {BODY_LIMIT} bytes: send smaller batches")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > BODY_LIMIT:
            raise Refused(413, f"the body is over {BODY_LIMIT} bytes: send smaller batches")
    try:
        envelope = json.loads(body)
    except ValueError:
        raise Refused(400, "the body is not JSON") from None
    items = envelope.get(key) if isinstance(envelope, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
        raise Refused(422, f"expected {{{key!r}: [...]}} with 1 to {BATCH_MAX} items", key)
    return items


def _checked(items: Sequence[Any], model: type[Item]) -> tuple[list[tuple[int, Item]], dict[int, str]]:
    """The items that pass the model, with their indexes, and why each other one did not."""
    good: list[tuple[int, Item]] = []
    errors: dict[int, str] = {}
    for index, item in enumerate(items):
        try:
            good.append((index, model.model_validate(item)))
        except ValidationError as error:
            errors[index] = _reason(error)
    return good, errors


def _reason(error: ValidationError) -> str:
    """Each bad field by its path ("receiver.phone: ..."), at most three."""
    parts = [f"{'.'.join(str(part) for part in e['loc']) or 'item'}: {e['msg']}" for e in error.errors()[:3]]
    return "; ".join(parts)


def _query(request: web.Request, name: str, adapter: TypeAdapter[Any]) -> Any:
    try:
        return adapter.validate_python(request.query.get(name) or None)
    except ValidationError as error:
        raise Refused(422, f"{name}: {error.errors()[0]['msg']}", name) from None


def _scan(event: TrackingEventIn) -> TrackingUpdate:
    return TrackingUpdate(known_courier(event.courier), event.tracking_no, event.time, event.state, event.text,
                          event.location or "")  # fmt: skip


def _result(created: int, updated: int, unchanged: int, errors: dict[int, str]) -> web.Response:
    listed = [ItemError(index=index, error=error) for index, error in sorted(errors.items())]
    result = BatchResult(created=created, updated=updated, unchanged=unchanged, errors=listed)
    return web.json_response(result.model_dump())
