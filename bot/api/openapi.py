"""The API's OpenAPI 3.1 document, made from the same pydantic models that check the requests, and a page
that reads it for people (no script, no outside assets: it is served by the bot itself)."""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.models import AlertOut, BatchResult, CaseOut, OrderBatch, Problem, StockBatch, TrackingBatch

PREFIX = "/api/v1"
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
EXAMPLE_ORDER = {
    "platform": "jd",
    "order_id": "300123456789",
    "status": "paid",
    "created_at": "2026-11-20T10:15:00+08:00",
    "paid_at": "2026-11-20T10:16:30+08:00",
    "receiver": {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市",
                 "district": "西湖区", "address": "文三路 90 号"},
    "lines": [{"sku": "TSHIRT-W-M", "title": "纯棉T恤 白色 M", "qty": 2, "price": "59.00"}],
    "shipments": [{"courier": "顺丰速运", "tracking_no": "SF1234567890123"}],
}  # fmt: skip
EXAMPLE_SCAN = {"courier": "顺丰速运", "tracking_no": "SF1234567890123", "time": "2026-11-21T08:00:00+08:00",
                "state": "in_transit", "text": "快件已到达【杭州转运中心】", "location": "杭州"}  # fmt: skip
_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (OrderBatch, "validation"),
    (TrackingBatch, "validation"),
    (StockBatch, "validation"),
    (BatchResult, "serialization"),
    (CaseOut, "serialization"),
    (AlertOut, "serialization"),
    (Problem, "serialization"),
]


@cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema(_MODELS, ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "xiaoer 店小二 ingestion API",
            "version": "1",
            "description": "Orders, parcel scans and stock in; cases and alerts out. Batches of up to 1,000 items "
            "are upserted by natural key, so a batch sent twice changes nothing; a bad item is reported by its "
            "index and the rest are taken.",
        },
        "servers": [{"url": PREFIX}],
        "security": SECURITY,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "XIAOER_API_TOKEN"}},
        },
        "paths": {
            "/orders": _batch("Orders in: created or brought up to date by (platform, order_id)", "OrderBatch",
                              {"orders": [EXAMPLE_ORDER]}),
            "/tracking": _batch("Parcel scans in: kept once each; a scan moves its order (shipped, delivered)",
                                "TrackingBatch", {"events": [EXAMPLE_SCAN]}),
            "/stock": _batch("Stock per SKU and warehouse, set to the count sent", "StockBatch",
                             {"stock": [{"sku": "TSHIRT-W-M", "warehouse": "HZ1", "on_hand": 120}]}),
            "/cases": _listing("After-sales cases, oldest change first", "cases", "CaseOut", [
                _param("state", "a case state: requested, approved, rejected, …", {"type": "string"}),
                _param("since", "only cases changed after this time (ISO 8601 with offset)",
                       {"type": "string", "format": "date-time"}),
            ]),
            "/alerts": _listing("Ops alerts not yet resolved", "alerts", "AlertOut", [
                _param("status", "open (the default and the only one served)", {"type": "string", "enum": ["open"]}),
            ]),
        },
    }  # fmt: skip


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Problem")}}}


def _batch(summary: str, body: str, example: dict[str, Any]) -> dict[str, Any]:
    content = {"application/json": {"schema": _ref(body), "example": example}}
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": content},
            "responses": {
                "200": {"description": "taken; `errors` lists the items that were not",
                        "content": {"application/json": {"schema": _ref("BatchResult")}}},
                "400": _problem("the body is not JSON"),
                "401": _problem("no or a wrong bearer token"),
                "413": _problem("the body is over the size limit"),
                "422": _problem("not the batch envelope; `field` names what is wrong"),
            },
        }
    }  # fmt: skip


def _listing(summary: str, key: str, item: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    schema = {"type": "object", "properties": {key: {"type": "array", "items": _ref(item)}}}
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": f"up to 500 {key}", "content": {"application/json": {"schema": schema}}},
                "401": _problem("no or a wrong bearer token"),
                "422": _problem("a bad query parameter; `field` names it"),
            },
        }
    }


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


@cache
def docs_page() -> str:
    """Each route with what it does and an example body, then each schema's fields; made when first asked for,
    not while every process starts."""
    doc = document()
    parts = [f"<h1>{html.escape(doc['info']['title'])}</h1><p>{html.escape(doc['info']['description'])}</p>",
             "<p>Send <code>Authorization: Bearer &lt;XIAOER_API_TOKEN&gt;</code>. Machine-readable: "
             "<a href='openapi.json'>openapi.json</a>.</p>"]  # fmt: skip
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            parts.append(f"<h2>{method.upper()} {PREFIX}{path}</h2><p>{html.escape(operation['summary'])}</p>")
            example = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
            if example:
                text = json.dumps(example, ensure_ascii=False, indent=2)
                parts.append(f"<pre>{html.escape(text)}</pre>")
    for name, schema in doc["components"]["schemas"].items():
        required = set(schema.get("required", []))
        rows = "".join(
            f"<tr><td><code>{html.escape(field)}</code></td><td>{'required' if field in required else ''}</td>"
            f"<td>{html.escape(_type(spec))}</td></tr>"
            for field, spec in schema.get("properties", {}).items()
        )
        parts.append(f"<h3>{html.escape(name)}</h3><table>{rows}</table>")
    style = "body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4}"
    return f"<!doctype html><meta charset='utf-8'><title>xiaoer API</title><style>{style}</style>{''.join(parts)}"


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " | ".join(_type(option) for option in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    return str(spec.get("format") or spec.get("type") or ("one of " + ", ".join(map(str, spec.get("enum", [])))))
