"""The shop's tracking provider joined to the app: its push callback at `POST /couriers/{name}` (DESIGN's
contract: /couriers/kuaidi100, /couriers/kdniao), the job that subscribes every waybill on its way once, and the
query fallback for a parcel asked about with old scans.

The provider is the one `[tracking] provider` names in the shop config, or else the first whose settings are
given: 快递100 with XIAOER_KUAIDI100_KEY, _SALT and XIAOER_PUBLIC_URL (the address it is told to call back);
快递鸟 with XIAOER_KDNIAO_BUSINESS_ID and _API_KEY (its push address is set in 快递鸟's console, as
XIAOER_PUBLIC_URL + /couriers/kdniao).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels.clients import Clients
from bot.settings import Settings
from notifications.scheduler import Periodic
from oms_client.clock import Clock
from oms_client.couriers.fresh_tracking import FreshTracking
from oms_client.couriers.kdniao_http import Kdniao
from oms_client.couriers.kuaidi100_http import Kuaidi100
from oms_client.couriers.provider import BadPush, BadSignature, TrackingProvider
from oms_client.domain import Courier
from oms_client.sql.database import Database
from oms_client.stores.ingest import SqlIngest

log = logging.getLogger(__name__)
CALLBACK_PREFIX = "/couriers/"
SUBSCRIBE_EVERY = timedelta(minutes=1)
SUBSCRIBE_PER_RUN = 100  # the providers' quotas are per day; a backlog drains over a few minutes


def _kuaidi100(settings: Settings, clients: Clients, clock: Clock) -> TrackingProvider | None:
    if not (settings.kuaidi100_key and settings.kuaidi100_salt and settings.public_url):
        return None
    callback = f"{settings.public_url.rstrip('/')}{CALLBACK_PREFIX}{Kuaidi100.name}"
    return Kuaidi100(clients.session, settings.kuaidi100_api_base, settings.kuaidi100_key, settings.kuaidi100_salt,
                     callback, ZoneInfo(settings.timezone), settings.kuaidi100_customer or "")  # fmt: skip


def _kdniao(settings: Settings, clients: Clients, clock: Clock) -> TrackingProvider | None:
    if not (settings.kdniao_business_id and settings.kdniao_api_key):
        return None
    return Kdniao(clients.session, settings.kdniao_api_base, settings.kdniao_business_id, settings.kdniao_api_key,
                  ZoneInfo(settings.timezone), clock)  # fmt: skip


# Every provider a shop can choose, by the name its callback path and the shop config use. Adding one is its
# module in oms_client/couriers (the TrackingProvider port) and a line here.
PROVIDERS: dict[str, Callable[[Settings, Clients, Clock], TrackingProvider | None]] = {
    Kuaidi100.name: _kuaidi100,
    Kdniao.name: _kdniao,
}


def tracking_provider(
    settings: Settings, chosen: str | None, clients: Clients, clock: Clock
) -> TrackingProvider | None:
    """The chosen provider (None when its settings are missing), or the first one configured."""
    names = [chosen] if chosen else list(PROVIDERS)
    return next((p for name in names if (p := PROVIDERS[name](settings, clients, clock)) is not None), None)


def fresh_tracking(provider: TrackingProvider | None, database: Database, clock: Clock) -> FreshTracking | None:
    """A parcel asked about whose latest scan is old is queried first, where the provider can be queried."""
    if provider is None or not provider.can_query:
        return None
    return FreshTracking(provider, SqlIngest(database), clock)


def subscription_jobs(provider: TrackingProvider | None, database: Database, clock: Clock) -> list[Periodic]:
    if provider is None:
        return []
    ingest, couriers = SqlIngest(database), sorted(provider.codes)

    async def subscribe_new() -> None:
        for shipment_id, courier, number, phone in await ingest.unsubscribed(couriers, SUBSCRIBE_PER_RUN):
            if await provider.subscribe(Courier(courier), number, phone):
                await ingest.mark_subscribed(shipment_id, clock.now())

    return [Periodic(f"{provider.name} subscriptions", SUBSCRIBE_EVERY, subscribe_new, leased=True)]


def mount_couriers(web_app: web.Application, provider: TrackingProvider | None, database: Database) -> None:
    if provider is None:
        return
    ingest = SqlIngest(database)

    async def push(request: web.Request) -> web.Response:
        form = {name: str(value) for name, value in (await request.post()).items()}
        try:
            pushed = provider.read_push(form)
        except BadPush as error:
            log.warning("a %s push was refused: %s", provider.name, error)
            status = 401 if isinstance(error, BadSignature) else 400
            return web.json_response(provider.answer(error), status=status)
        taken = await ingest.replace_tracking(pushed.scans)
        if taken.errors:
            log.info(
                "a %s push for a waybill the store does not hold: %s", provider.name, next(iter(taken.errors.values()))
            )
        for number in pushed.dropped:
            await ingest.forget_subscription(number)
        return web.json_response(provider.answer(None))

    web_app.router.add_post(f"{CALLBACK_PREFIX}{provider.name}", push)
