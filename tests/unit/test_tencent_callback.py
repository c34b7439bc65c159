"""Tencent's callback crypto against the values Tencent published, and our side's refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.channels.tencent.callback import Refused, check_fresh, check_signature, open_encrypted, signature
from tests.conftest import FIXTURES

VECTORS = json.loads((FIXTURES / "tencent" / "published_vectors.json").read_text(encoding="utf-8"))


def crypto() -> WeChatCrypto:
    return WeChatCrypto(VECTORS["token"], VECTORS["aes_key"], VECTORS["receive_id"])


def test_the_published_url_verification_signature_matches() -> None:
    v = VECTORS["verify_url"]
    assert signature(VECTORS["token"], v["timestamp"], v["nonce"], v["echostr"]) == v["msg_signature"]


def test_the_published_message_decrypts_to_its_text() -> None:
    v = VECTORS["message"]
    params = {"msg_signature": v["msg_signature"], "timestamp": v["timestamp"], "nonce": v["nonce"]}
    message = open_encrypted(crypto(), VECTORS["token"], {"Encrypt": v["encrypt"]}, params)
    assert (message["FromUserName"], message["Content"], message["MsgId"]) == (
        "mycreate",
        "hello",
        "4561255354251345929",
    )


def test_a_tampered_ciphertext_or_signature_is_refused() -> None:
    v = VECTORS["message"]
    params = {"msg_signature": v["msg_signature"], "timestamp": v["timestamp"], "nonce": v["nonce"]}
    with pytest.raises(Refused) as refused:
        open_encrypted(crypto(), VECTORS["token"], {"Encrypt": "A" + v["encrypt"][1:]}, params)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        check_signature("f" * 40, VECTORS["token"], v["timestamp"], v["nonce"])


def test_a_message_for_another_account_is_refused() -> None:
    other = WeChatCrypto(VECTORS["token"], VECTORS["aes_key"], "wx_another_account")
    sealed = other.encrypt_message("<xml><Content>hi</Content></xml>", "1", "1409659813")
    envelope = {"Encrypt": sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]}
    params = {"msg_signature": signature(VECTORS["token"], "1409659813", "1", envelope["Encrypt"])}
    with pytest.raises(Refused):
        open_encrypted(crypto(), VECTORS["token"], envelope, params | {"timestamp": "1409659813", "nonce": "1"})


def test_timestamps_more_than_five_minutes_off_are_refused() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    check_fresh(str(int(now.timestamp()) - 299), now)
    check_fresh(str(int(now.timestamp()) + 299), now)
    for off in ("-301", "+301"):
        with pytest.raises(Refused):
            check_fresh(str(int(now.timestamp()) + int(off)), now)
    with pytest.raises(Refused):
        check_fresh("yesterday", now)
