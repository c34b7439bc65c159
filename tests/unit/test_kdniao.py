"""快递鸟's formats: DataSign, a trace's events in our terms with and without per-event actions, and what is refused."""

from __future__ import annotations

import pytest

from oms_client.couriers.kdniao import read_push, request_data, scans, sign
from oms_client.couriers.provider import BadPush, BadSignature
from oms_client.domain import Courier, TrackingState
from tests.conftest import SHANGHAI


def test_data_sign_is_base64_of_the_lower_case_hex_md5_of_data_and_key() -> None:
    # md5("abc") is RFC 1321's test vector 900150983cd24fb0d6963f7d28e17f72; its base64, as text, follows.
    assert sign("a", "bc") == "OTAwMTUwOTgzY2QyNGZiMGQ2OTYzZjdkMjhlMTdmNzI="


def test_without_actions_the_newest_event_takes_the_parcels_finer_state() -> None:
    trace = {"ShipperCode": "ZTO", "LogisticCode": "75123456789012", "State": "2", "StateEx": "211", "Traces": [
        {"AcceptTime": "2026-11-22 08:00:00", "AcceptStation": "已放入菜鸟驿站，请凭取件码取件"},
        {"AcceptTime": "2026-11-21 20:00:00", "AcceptStation": "已到达分拨中心"},
    ]}  # fmt: skip
    assert [(s.courier, s.state, s.text) for s in scans(trace, SHANGHAI)] == [
        (Courier.ZTO, TrackingState.IN_TRANSIT, "已到达分拨中心"),
        (Courier.ZTO, TrackingState.OUT_FOR_DELIVERY, "已放入菜鸟驿站，请凭取件码取件"),
    ]  # fmt: skip


def test_only_sf_is_asked_with_the_phones_last_four_digits() -> None:
    assert request_data(Courier.SF, "SF1", "13812345678") == {"ShipperCode": "SF", "LogisticCode": "SF1",
                                                              "CustomerName": "5678"}  # fmt: skip
    assert request_data(Courier.YUNDA, "4312", "13812345678") == {"ShipperCode": "YD", "LogisticCode": "4312"}


@pytest.mark.parametrize(
    "trace",
    [
        {"ShipperCode": "PIGEON", "LogisticCode": "1", "Traces": []},
        {"ShipperCode": "SF", "LogisticCode": "SF1", "Traces": [{"AcceptTime": "yesterday", "AcceptStation": "x"}]},
    ],
)
def test_a_trace_it_cannot_read_is_refused(trace: dict[str, object]) -> None:
    with pytest.raises(BadPush):
        scans(trace, SHANGHAI)


def test_a_push_without_a_matching_sign_is_refused_before_it_is_read() -> None:
    with pytest.raises(BadSignature):
        read_push({"RequestData": "not even json", "DataSign": sign("other", "key")}, "key", SHANGHAI)
    with pytest.raises(BadPush):
        read_push({"RequestData": "not even json", "DataSign": sign("not even json", "key")}, "key", SHANGHAI)
