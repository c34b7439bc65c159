"""快递鸟 (Kdniao): its signed requests, its track push and its real-time query, as its official .NET demo
(KdApiSubscribeDemo 2.0, in wannvmi/Kdniao.Core's official-demo) and the bububa/kdniao SDK document them
(model/request.go, model/push.go, model/trace_data.go, config/const.go; Kdniao.Core's KdniaoNotifyResult):

- every request is a form: `EBusinessID`, `RequestType`, `RequestData` (JSON), `DataType=2` (JSON) and
  `DataSign` = base64(lower-case hex MD5 of RequestData + API key), UTF-8.
- subscribe: RequestType 1008 to {base}/api/dist, RequestData `{"ShipperCode", "LogisticCode", "CustomerName"?}`;
  the answer `{"EBusinessID", "Success", "Reason", "UpdateTime"}`. The push address is set in 快递鸟's console,
  not per request.
- push: RequestType 101 to that address, the same form signed the same way; RequestData `{"EBusinessID",
  "PushTime", "Count", "Data": [trace]}`; the answer `{"EBusinessID", "UpdateTime", "Success": true, "Reason"}`.
- query: RequestType 1002 to {base}/Ebusiness/EbusinessOrderHandle.aspx, the same RequestData; the answer is a trace.
- a trace: `ShipperCode`, `LogisticCode`, `Success`, `Reason`, `State` (0 无轨迹 1 已揽收 2 在途中 3 签收 4 问题件),
  `StateEx` (finer: 201 到达派件城市, 202 派件中, 211 已放入快递柜或驿站, 311 已取出, 401 发货无信息, 402 超时未签收,
  403 超时未更新, 404 拒收（退件）, 412 快递柜或驿站超时未取), `Traces` [{`AcceptTime`, `AcceptStation`, `Remark`,
  `Location`, `Action`}]. SF wants `CustomerName`: the last four digits of the sender's or receiver's phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oms_client.couriers.provider import BadPush, BadSignature, Push, moment
from oms_client.domain import Courier, TrackingState
from oms_client.imports.records import TrackingUpdate

API_BASE = "https://api.kdniao.com"
SUBSCRIBE, QUERY = "1008", "1002"  # a push comes as RequestType 101
SUBSCRIBE_PATH, QUERY_PATH = "/api/dist", "/Ebusiness/EbusinessOrderHandle.aspx"
# Our couriers by 快递鸟's shipper codes (config/const.go); J&T's is not among them, so it is not followed.
CODES = {
    Courier.SF: "SF",
    Courier.ZTO: "ZTO",
    Courier.YTO: "YTO",
    Courier.YUNDA: "YD",
    Courier.STO: "STO",
    Courier.EMS: "EMS",
    Courier.JD: "JD",
}
COURIERS = {code: courier for courier, code in CODES.items()}
STATES = {
    "1": TrackingState.COLLECTED,
    "2": TrackingState.IN_TRANSIT,
    "201": TrackingState.IN_TRANSIT,
    "202": TrackingState.OUT_FOR_DELIVERY,
    "211": TrackingState.OUT_FOR_DELIVERY,  # waiting in a locker or a station for the buyer
    "3": TrackingState.SIGNED,
    "311": TrackingState.SIGNED,
    "4": TrackingState.EXCEPTION,
    "401": TrackingState.EXCEPTION,
    "402": TrackingState.EXCEPTION,
    "403": TrackingState.EXCEPTION,
    "404": TrackingState.RETURNED,
    "412": TrackingState.EXCEPTION,
}


def sign(request_data: str, api_key: str) -> str:
    digest = hashlib.md5((request_data + api_key).encode()).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def form(business_id: str, api_key: str, request_type: str, data: dict[str, Any]) -> dict[str, str]:
    request_data = json.dumps(data, ensure_ascii=False)
    return {"EBusinessID": business_id, "RequestType": request_type, "RequestData": request_data,
            "DataType": "2", "DataSign": sign(request_data, api_key)}  # fmt: skip


def request_data(courier: Courier, number: str, phone: str) -> dict[str, str]:
    data = {"ShipperCode": CODES[courier], "LogisticCode": number}
    return data | {"CustomerName": phone[-4:]} if courier is Courier.SF else data


def read_push(form: Mapping[str, str], api_key: str, zone: ZoneInfo) -> Push:
    data = form.get("RequestData", "")
    signature = form.get("DataSign", "")
    if not signature or not hmac.compare_digest(sign(data, api_key), signature):
        raise BadSignature("签名不对")
    try:
        traces = json.loads(data)["Data"]
        return Push([scan for trace in traces if trace.get("Success", True) for scan in scans(trace, zone)])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BadPush(f"推送内容无法解析: {error}") from None


def scans(trace: dict[str, Any], zone: ZoneInfo) -> list[TrackingUpdate]:
    """A trace's events as scans, oldest first. An event names its state in `Action` when 快递鸟 adds it; the
    newest otherwise takes the parcel's (StateEx, finer, before State), and older ones were on the way."""
    courier = COURIERS.get(str(trace.get("ShipperCode", "")).upper())
    number = str(trace.get("LogisticCode", ""))
    events = trace.get("Traces") or []
    if courier is None or not number or not isinstance(events, list):
        raise BadPush(f"no known courier and waybill in the trace ({trace.get('ShipperCode')!r})")
    timed = sorted((_at(event, zone), position, event) for position, event in enumerate(events))
    parcel = STATES.get(str(trace.get("StateEx") or "")) or STATES.get(str(trace.get("State")))
    found = []
    for index, (at, _, event) in enumerate(timed):
        newest = parcel if index == len(timed) - 1 else None
        state = STATES.get(str(event.get("Action") or "")) or newest or TrackingState.IN_TRANSIT
        text = str(event.get("AcceptStation", "")).strip()[:200] or "（无描述）"
        found.append(TrackingUpdate(courier, number, at, state, text, str(event.get("Location") or "")[:64]))
    return found


def _at(event: Any, zone: ZoneInfo) -> datetime:
    if not isinstance(event, dict):
        raise BadPush("an event is not an object")
    return moment(str(event.get("AcceptTime", "")), zone)
