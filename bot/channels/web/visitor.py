"""Who a web chat visitor is: a random token in a cookie, nothing else.

The token is the credential, so only its hash is stored as the chat's id: a leaked database does not
let anyone read a visitor's chat. Losing the cookie means a new chat, and proving order ownership again,
the same rule as on every channel.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from aiohttp import web

COOKIE = "xiaoer_chat"
MAX_AGE = timedelta(days=180)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
FORWARDED_PROTO = "X-Forwarded-Proto"


def visitor_of(request: web.Request) -> str | None:
    token = request.cookies.get(COOKIE, "")
    if not _TOKEN.match(token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def give_token(request: web.Request, response: web.StreamResponse, proxy: str | None) -> None:
    """A first visit gets its token; a returning one keeps it (and its history)."""
    if visitor_of(request) is not None:
        return
    response.set_cookie(
        COOKIE,
        secrets.token_urlsafe(32),
        max_age=int(MAX_AGE.total_seconds()),
        path="/chat",
        httponly=True,
        samesite="Lax",
        secure=came_over_tls(request, proxy),
    )


def client_of(request: web.Request, proxy: str | None) -> str:
    """The visitor's address. Behind a proxy (`proxy`: the header it sets, e.g. X-Forwarded-For) the address
    the proxy saw, which it adds last; anything before it the visitor could have written themselves."""
    forwarded = request.headers.get(proxy, "") if proxy else ""
    last = forwarded.rsplit(",", 1)[-1].strip()
    return (last or request.remote or "unknown")[:64]


def came_over_tls(request: web.Request, proxy: str | None) -> bool:
    """HTTPS to us, or (behind the trusted proxy, which ends TLS itself) HTTPS to the proxy."""
    if request.secure:
        return True
    return bool(proxy) and request.headers.get(FORWARDED_PROTO, "").rsplit(",", 1)[-1].strip().lower() == "https"
