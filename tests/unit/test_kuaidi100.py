"""快递100's formats: the signature of a push, and its events in our terms with and without resultv2's words."""

from __future__ import annotations

import pytest

from oms_client.couriers.kuaidi100 import scans, sign, verified
from oms_client.couriers.provider import BadPush
from oms_client.domain import Courier, TrackingState
from tests.conftest import SHANGHAI


def test_a_push_is_verified_by_the_upper_case_md5_of_param_and_salt() -> None:
    assert sign("abc") == "900150983CD24FB0D6963F7D28E17F72"  # RFC 1321's test vector, in upper case
    assert verified('{"a":1}', sign('{"a":1}salt'), "salt") and verified('{"a":1}', sign('{"a":1}salt').lower(), "salt")
    assert not verified('{"a":2}', sign('{"a":1}salt'), "salt") and not verified('{"a":1}', "", "salt")


def test_without_event_words_the_newest_event_takes_the_parcels_state() -> None:
    result = {"state": "5", "com": "zhongtong", "nu": "75123456789012", "data": [
        {"context": "派件员正在派送", "ftime": "2026-11-22 08:00:00"},
        {"context": "已到达分拨中心", "ftime": "2026-11-21 20:00:00"},
    ]}  # fmt: skip
    found = scans(result, SHANGHAI)
    assert [(s.courier, s.state, s.text) for s in found] == [
        (Courier.ZTO, TrackingState.IN_TRANSIT, "已到达分拨中心"),
        (Courier.ZTO, TrackingState.OUT_FOR_DELIVERY, "派件员正在派送"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "result",
    [
        {"com": "flyingpigeon", "nu": "1", "data": []},
        {"com": "shunfeng", "nu": "SF1", "data": [{"context": "x", "ftime": "yesterday"}]},
    ],
)
def test_a_push_it_cannot_read_is_refused(result: dict[str, object]) -> None:
    with pytest.raises(BadPush):
        scans(result, SHANGHAI)
