"""What the WeChat and WeCom callbacks share: signatures, fresh timestamps, AES, bounded XML.

Tencent signs a callback with SHA-1 over the sorted token, timestamp, nonce (and, encrypted, the
ciphertext). Signatures are compared in constant time; a timestamp more than five minutes off is
refused, so a captured request is only worth replaying inside that window, where the inbox's replay
key (timestamp + nonce, see `replay_key`) catches it.
"""

from __future__ import annotations

import binascii
import hmac
import struct
from datetime import datetime, timedelta
from typing import Any, Protocol
from xml.parsers.expat import ExpatError

import xmltodict
from aiohttp import web
from wechatpy.exceptions import WeChatException
from wechatpy.utils import WeChatSigner

CLOCK_SKEW = timedelta(seconds=300)
# The deepest callback Tencent sends nests five elements (xml > SendPicsInfo > PicList > item > PicMd5Sum).
MAX_XML_DEPTH = 16


class Refused(Exception):
    """A callback that must change nothing: answered with `status` and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason

    def response(self) -> web.Response:
        return web.Response(status=self.status, text=self.reason)


class Crypto(Protocol):
    """wechatpy's WeChatCrypto for the Official Account or for WeCom (they differ in the receive id)."""

    def decrypt_message(self, msg: dict[str, Any], signature: str, timestamp: str, nonce: str) -> str: ...

    def encrypt_message(self, msg: str, nonce: str, timestamp: str | None = None) -> str: ...


class EchoCrypto(Crypto, Protocol):
    """WeCom's, which also encrypts the echo string of the URL check."""

    def check_signature(self, signature: str, timestamp: str, nonce: str, echo_str: str) -> str: ...


DECRYPT_ERRORS = (WeChatException, binascii.Error, ValueError, struct.error)


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def check_signature(given: str, *parts: str) -> None:
    if not hmac.compare_digest(signature(*parts).encode(), given.encode()):
        raise Refused(403, "bad signature")


def check_fresh(timestamp: str, now: datetime) -> None:
    try:
        sent = datetime.fromtimestamp(int(timestamp), now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise Refused(400, "bad timestamp") from None
    if abs(now - sent) > CLOCK_SKEW:
        raise Refused(403, "timestamp too far from now")


def query(request: web.Request, *names: str) -> list[str]:
    """The named query parameters, all of them present, or a 400."""
    values = [request.query.get(name) for name in names]
    if any(value is None for value in values):
        raise Refused(400, "missing " + ", ".join(n for n, v in zip(names, values, strict=True) if v is None))
    return [str(value) for value in values]


def replay_key(timestamp: str, nonce: str) -> str:
    """A signed request's identity: within the skew window, Tencent never sends two with the same pair."""
    return f"{timestamp}:{nonce}"[:80]


async def read_body(request: web.Request) -> bytes:
    """The body, refused before parsing when it exceeds the app's 64 KB limit."""
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, "body too large") from None


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The `<xml>` element as a dict; entities are never expanded, and nesting deeper than any callback of
    Tencent's (a signed body can still be hostile: storing 5,000 levels of it overflowed the stack)."""
    try:
        document = xmltodict.parse(body, disable_entities=True)
    except (ExpatError, ValueError):
        raise Refused(400, "not XML") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise Refused(400, "not a callback message")
    if _deeper_than(root, MAX_XML_DEPTH):
        raise Refused(400, "nested too deep")
    return root


def _deeper_than(root: dict[str, Any], limit: int) -> bool:
    """Walked without recursion, so the check itself cannot overflow."""
    pending: list[tuple[Any, int]] = [(root, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return False


def open_encrypted(crypto: Crypto, token: str, envelope: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """The decrypted message of a safe-mode callback, after its msg_signature has been checked."""
    encrypted = envelope.get("Encrypt")
    if not isinstance(encrypted, str):
        raise Refused(400, "no Encrypt element")
    check_signature(params["msg_signature"], token, params["timestamp"], params["nonce"], encrypted)
    try:
        plain = crypto.decrypt_message(envelope, params["msg_signature"], params["timestamp"], params["nonce"])
    except DECRYPT_ERRORS:
        raise Refused(403, "cannot decrypt") from None
    return parse_xml(plain)


def open_echo(crypto: EchoCrypto, token: str, signature: str, timestamp: str, nonce: str, echo: str) -> str:
    """The decrypted echo string WeCom expects back when it checks a callback URL."""
    check_signature(signature, token, timestamp, nonce, echo)
    try:
        return crypto.check_signature(signature, timestamp, nonce, echo)
    except DECRYPT_ERRORS:
        raise Refused(403, "cannot decrypt") from None
