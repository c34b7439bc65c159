"""快递100 joined to the app: its push callback at `POST /couriers/kuaidi100` (DESIGN's contract) and the job that
subscribes every waybill on its way once. Enabled by XIAOER_KUAIDI100_KEY, _SALT and XIAOER_PUBLIC_URL (the
address 快递100 calls back)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels.clients import Clients
from bot.settings import Settings
from notifications.scheduler import Periodic
from oms_client.clock import Clock
from oms_client.couriers.fresh_tracking import FreshTracking
from oms_client.couriers.kuaidi100 import ANSWER_TAKEN, CODES, BadPush, scans, verified
from oms_client.couriers.kuaidi100_http import Kuaidi100
from oms_client.domain import Courier
from oms_client.sql.database import Database
from oms_client.stores.ingest import SqlIngest

log = logging.getLogger(__name__)
CALLBACK_PATH = "/couriers/kuaidi100"
SUBSCRIBE_EVERY = timedelta(minutes=1)
SUBSCRIBE_PER_RUN = 100  # the provider's quota is per day; a backlog drains over a few minutes


def enabled(settings: Settings) -> bool:
    return bool(settings.kuaidi100_key and settings.kuaidi100_salt and settings.public_url)


def kuaidi100(settings: Settings, clients: Clients) -> Kuaidi100 | None:
    if not enabled(settings):
        return None
    callback = f"{str(settings.public_url).rstrip('/')}{CALLBACK_PATH}"
    return Kuaidi100(clients.session, settings.kuaidi100_api_base, str(settings.kuaidi100_key),
                     str(settings.kuaidi100_salt), callback, settings.kuaidi100_customer or "")  # fmt: skip


def fresh_tracking(settings: Settings, clients: Clients, database: Database, clock: Clock) -> FreshTracking | None:
    """With a customer id too, a parcel asked about whose latest scan is old is queried first."""
    provider = kuaidi100(settings, clients)
    if provider is None or not settings.kuaidi100_customer:
        return None
    return FreshTracking(provider, SqlIngest(database), clock, ZoneInfo(settings.timezone))


def subscription_jobs(settings: Settings, clients: Clients, database: Database, clock: Clock) -> list[Periodic]:
    provider = kuaidi100(settings, clients)
    if provider is None:
        return []
    ingest = SqlIngest(database)

    async def subscribe_new() -> None:
        for shipment_id, courier, number in await ingest.unsubscribed(sorted(CODES), SUBSCRIBE_PER_RUN):
            if await provider.subscribe(CODES[Courier(courier)], number):
                await ingest.mark_subscribed(shipment_id, clock.now())

    return [Periodic("kuaidi100 subscriptions", SUBSCRIBE_EVERY, subscribe_new, leased=True)]


def mount_couriers(web_app: web.Application, settings: Settings, database: Database) -> None:
    if not enabled(settings):
        return
    salt, ingest = str(settings.kuaidi100_salt), SqlIngest(database)
    zone = ZoneInfo(settings.timezone)

    async def push(request: web.Request) -> web.Response:
        form = await request.post()
        param, signature = str(form.get("param", "")), str(form.get("sign", ""))
        if not verified(param, signature, salt):
            log.warning("a 快递100 push with a wrong signature was refused")
            return web.json_response({"result": False, "returnCode": "401", "message": "签名不对"}, status=401)
        try:
            body: Any = json.loads(param)
            found = scans(body["lastResult"], zone)
        except (ValueError, KeyError, TypeError, BadPush) as error:
            log.warning("a 快递100 push could not be read: %s", error)
            return web.json_response({"result": False, "returnCode": "400", "message": "推送内容无法解析"}, status=400)
        taken = await ingest.add_tracking(found)
        if taken.errors:
            log.info("a 快递100 push for a waybill the store does not hold: %s", next(iter(taken.errors.values())))
        if body.get("status") == "abort":  # 快递100 stopped following it (3 days without scans): subscribe again
            await ingest.forget_subscription(found[0].tracking_no if found else "")
        return web.json_response(ANSWER_TAKEN)

    web_app.router.add_post(CALLBACK_PATH, push)
