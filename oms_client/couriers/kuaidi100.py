"""快递100 (Kuaidi100): the subscription API, its push callback and its real-time query, as its official SDK
documents them (kuaidi100-api/java-demo: ApiInfoConstant, SignUtils, SubscribeParam/Parameters,
SubscribePushParamResp/Result/Data, CompanyConstant):

- subscribe: POST {base}/poll, form `schema=json`, `param={"company", "number", "key", "parameters":
  {"callbackurl", "salt", "resultv2": "1", "phone"?}}`; the answer `{"result", "returnCode", "message"}`
  (returnCode 501: already subscribed).
- push: POST to the callback, form `param` (the JSON below) and `sign` = upper(md5(param + salt)); the answer
  must be `{"result": true, "returnCode": "200", "message": "成功"}` or 快递100 pushes again (3 times, 35 min apart).
  `param`: {"status": polling|shutdown|abort|updateall, "message", "lastResult": {"state", "ischeck", "com", "nu",
  "data": [{"context", "time", "ftime", "status"?, "areaName"?}]}} with `data` newest first; the per-event
  `status` word comes with resultv2.
- query: POST {base}/poll/query.do, form `customer`, `param={"com", "num", "phone"?, "resultv2": "1"}`,
  `sign` = upper(md5(param + key + customer)); the answer is a lastResult.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from oms_client.couriers.provider import BadPush, BadSignature, Push, moment
from oms_client.domain import Courier, TrackingState
from oms_client.imports.records import TrackingUpdate

API_BASE = "https://poll.kuaidi100.com"
ANSWER_TAKEN = {"result": True, "returnCode": "200", "message": "成功"}
ALREADY_SUBSCRIBED = "501"
# Our couriers by 快递100's company codes (CompanyConstant); J&T's code is not in the SDK, so it is not subscribed.
CODES = {
    Courier.SF: "shunfeng",
    Courier.ZTO: "zhongtong",
    Courier.YTO: "yuantong",
    Courier.YUNDA: "yunda",
    Courier.STO: "shentong",
    Courier.EMS: "ems",
    Courier.JD: "jd",
}
COURIERS = {code: courier for courier, code in CODES.items()}
# The parcel's state codes (SubscribePushResult.state: 0在途 1揽收 2疑难 3签收 4退签 5派件 6退回 7转投) and the
# per-event words resultv2 adds, in our terms.
STATES = {
    "0": TrackingState.IN_TRANSIT,
    "1": TrackingState.COLLECTED,
    "2": TrackingState.EXCEPTION,
    "3": TrackingState.SIGNED,
    "4": TrackingState.RETURNED,
    "5": TrackingState.OUT_FOR_DELIVERY,
    "6": TrackingState.RETURNED,
    "7": TrackingState.IN_TRANSIT,
}
WORDS = {
    "在途": TrackingState.IN_TRANSIT,
    "揽收": TrackingState.COLLECTED,
    "疑难": TrackingState.EXCEPTION,
    "签收": TrackingState.SIGNED,
    "退签": TrackingState.RETURNED,
    "派件": TrackingState.OUT_FOR_DELIVERY,
    "退回": TrackingState.RETURNED,
    "转投": TrackingState.IN_TRANSIT,
}


def sign(text: str) -> str:
    """快递100 signs everything the same way: MD5 in upper-case hex."""
    return hashlib.md5(text.encode()).hexdigest().upper()


def verified(param: str, signature: str, salt: str) -> bool:
    return bool(signature) and hmac.compare_digest(sign(param + salt), signature.upper())


def read_push(form: Mapping[str, str], salt: str, zone: ZoneInfo) -> Push:
    """A push's scans; `status` abort means 快递100 stopped following the waybill (3 days without scans)."""
    param = form.get("param", "")
    if not verified(param, form.get("sign", ""), salt):
        raise BadSignature("签名不对")
    try:
        body = json.loads(param)
        found = scans(body["lastResult"], zone)
    except (ValueError, KeyError, TypeError) as error:
        raise BadPush(f"推送内容无法解析: {error}") from None
    return Push(found, [str(body["lastResult"]["nu"])] if body.get("status") == "abort" else [])


def scans(result: dict[str, Any], zone: ZoneInfo) -> list[TrackingUpdate]:
    """A lastResult's events as scans, oldest first. The newest takes the parcel's state when the event itself
    names none (without resultv2); older unnamed ones were on the way."""
    courier = COURIERS.get(str(result.get("com", "")).lower())
    number = str(result.get("nu", ""))
    events = result.get("data")
    if courier is None or not number or not isinstance(events, list):
        raise BadPush(f"no known courier and waybill in the push ({result.get('com')!r})")
    found = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise BadPush("an event is not an object")
        default = STATES.get(str(result.get("state")), TrackingState.IN_TRANSIT) if position == 0 else None
        state = WORDS.get(str(event.get("status", ""))) or default or TrackingState.IN_TRANSIT
        text = str(event.get("context", "")).strip()
        at = moment(str(event.get("ftime") or event.get("time") or ""), zone)
        found.append(TrackingUpdate(courier, number, at, state, text[:200] or "（无描述）",
                                    str(event.get("areaName") or "")[:64]))  # fmt: skip
    return found[::-1]
