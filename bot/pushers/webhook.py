"""Outbound events POSTed to the seller's webhook, signed so the receiver knows they are ours.

`X-Xiaoer-Signature: sha256=<hex>` is the HMAC-SHA256 of the raw body with `XIAOER_WEBHOOK_SECRET`
(DESIGN: outbound events), the scheme GitHub and Stripe made familiar: the receiver computes the same over
the bytes it got and compares in constant time. Any 2xx is taken as delivered; anything else is retried.
"""

from __future__ import annotations

import hashlib
import hmac

import aiohttp

from notifications.push import PushFailed

SIGNATURE_HEADER = "X-Xiaoer-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SignedWebhook:
    def __init__(self, session: aiohttp.ClientSession, url: str, secret: str) -> None:
        self.session, self.url, self.secret = session, url, secret

    async def post(self, body: bytes, event_id: str) -> None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(self.secret, body),
            "X-Xiaoer-Event-Id": event_id,
        }
        try:
            async with self.session.post(self.url, data=body, headers=headers) as response:
                if not 200 <= response.status < 300:
                    raise PushFailed(f"the webhook answered HTTP {response.status}")
        except (TimeoutError, aiohttp.ClientError) as error:
            # The error's text may hold the URL, and the URL may hold a key: name the kind of failure only.
            raise PushFailed(f"the webhook is unreachable: {type(error).__name__}") from None
