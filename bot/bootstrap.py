"""The composition root: production, the CLI and the tests build the app through `bootstrap`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import nlu
from bot.case_updates import CaseUpdates
from bot.channels.clients import Clients, Shared, open_clients
from bot.channels.console import ConsoleChannel
from bot.channels.intake import Intake
from bot.channels.mount import Inbound, Mount, Parts, Receiver
from bot.channels.pictures import Pictures
from bot.channels.port import ChatChannel, PushChannel, Renderer
from bot.channels.reply_window import Windowed
from bot.channels.sender import Sender, SendPolicy
from bot.channels.telegram import mount as telegram
from bot.channels.web import mount as web
from bot.channels.web.doorbell import Doorbell
from bot.channels.wechat import mount as wechat
from bot.channels.wecom import mount as wecom
from bot.couriers import fresh_tracking, subscription_jobs, tracking_provider
from bot.customer_notices import CustomerNotices, Outreach, OversellNotices
from bot.metrics import Metrics
from bot.pushers.build import build_pushers
from bot.pushers.webhook import SignedWebhook
from bot.reporting import ReportPush, Reports
from bot.settings import Settings
from bot.shop_config import ShopConfig, ShopConfigError, load_shop_config
from bot.stale_handoffs import EVERY as STALE_EVERY
from bot.stale_handoffs import StaleHandoffs
from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.handoff.queue import Handoffs
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster
from notifications.events import EventRelay
from notifications.relay import Relay
from notifications.report.charts import FontMissing, cjk_font
from notifications.scheduler import Jobs, Periodic, process_name
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.outbox import OutboxStore
from oms_client.chats.case_feed import CaseFeed
from oms_client.chats.inbox import InboxStore
from oms_client.chats.media import MediaStore
from oms_client.chats.notices import NoticeStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock, SystemClock
from oms_client.couriers.provider import TrackingProvider
from oms_client.external.http_oms import HttpOms
from oms_client.external.lookup import ExternalOrders
from oms_client.reports.sql import SqlReports
from oms_client.sql.database import Database, open_database
from oms_client.sql.leases import Leases
from oms_client.sql.migrate import upgrade
from oms_client.stores.budgets import SqlBudgets
from oms_client.stores.events import EventOutbox
from oms_client.stores.imports import SqlImports
from oms_client.stores.orders import SqlOrderStore
from oms_client.stores.presale import SqlPresale
from oms_client.stores.review import SqlReview
from oms_client.stores.tokens import SqlTokens
from oms_client.stores.transit_times import SqlTransitTimes

EVENTS_EVERY = timedelta(seconds=2)
LEARN_TRANSIT_EVERY = timedelta(hours=1)
log = logging.getLogger(__name__)
REVIEW_EVERY = timedelta(seconds=30)  # a new paid order is reviewed well before a warehouse could pick it
REPORT_EVERY = timedelta(minutes=1)  # a report pushed at 09:00 goes out by 09:01
INTENTS_EVERY = timedelta(minutes=1)  # a process that dies loses at most a minute of intent counts
PRESALE_EVERY = timedelta(minutes=1)  # a balance deadline is a minute's precision; its answer follows at once
# Every channel the app can have, each joining when the settings hold what it needs.
CHANNELS: tuple[Mount, ...] = (telegram, wechat, wecom, web)


@dataclass
class App:
    settings: Settings
    shop: ShopConfig
    clock: Clock
    zone: ZoneInfo
    database: Database
    store: SqlOrderStore
    alerts: AlertStore
    outbox: OutboxStore
    dialogue: Dialogue
    desk: AgentDesk
    chats: AgentChats
    clients: Clients
    jobs: Jobs
    roster: Roster
    channels: dict[str, ChatChannel]
    # Every chat the app can queue messages for: the channels, and console users' terminals.
    renderers: dict[str, Renderer]
    outgoing: OutgoingStore
    intake: Intake
    sender: Sender
    case_updates: CaseUpdates
    customer_notices: CustomerNotices
    oversell_notices: OversellNotices  # the oversold items' customers: their choices, then the restock
    # What each channel's deliveries come in by, and what it runs while the process serves.
    inbound: dict[str, Inbound]
    metrics: Metrics
    tracking: TrackingProvider | None  # the shop's parcel tracking provider, when one is configured
    review: SqlReview  # the automatic review of new paid orders and the holds staff decide on
    reports: Reports  # the shop's report: `xiaoer report`, the pushed daily and weekly ones, `/report`
    pictures: Pictures  # where pictures sent on any channel are kept (the console's too)
    stale_handoffs: StaleHandoffs  # run by the scheduler, and by `xiaoer chat` at its start (it has none)

    def receivers(self) -> list[Receiver]:
        return [part.receiver for part in self.inbound.values() if part.receiver is not None]

    def front(self, roster: Roster | None = None) -> Front:
        """The desk every channel hands messages to; `roster` overrides the configured staff (console --as)."""
        staff = roster or self.roster
        ops = OpsCommands(self.alerts, staff, self.clock, self.zone, self.review, self.reports)
        return Front(self.dialogue, ops, self.desk, self.chats, staff)

    async def close(self) -> None:
        await self.clients.close()
        await self.store.close()


def external_orders(
    settings: Settings, shop: ShopConfig, clients: Clients, database: Database, clock: Clock
) -> ExternalOrders | None:
    """With XIAOER_OMS_URL, orders the store does not hold are asked for there and kept."""
    if settings.oms_url is None:
        return None
    source = HttpOms(clients.session, settings.oms_url, settings.oms_token)
    return ExternalOrders(source, SqlImports(database, shop.alerts.thresholds.ship_within), clock)


def event_jobs(settings: Settings, clients: Clients, database: Database, clock: Clock) -> list[Periodic]:
    """With a webhook configured, the lease holder sends the outbound events every second or two."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        return []
    poster = SignedWebhook(clients.session, settings.webhook_url, settings.webhook_secret)
    relay = EventRelay(EventOutbox(database), poster, clock)
    return [Periodic("events", EVENTS_EVERY, relay.tick, leased=True)]


def transit_job(database: Database, clock: Clock) -> Periodic:
    """The lease holder learns the transit times again every hour from the parcels signed since."""
    times = SqlTransitTimes(database)
    return Periodic("transit times", LEARN_TRANSIT_EVERY, lambda: times.learn(clock.now()), leased=True)


def intents_job(metrics: Metrics, database: Database, zone: ZoneInfo, clock: Clock) -> Periodic:
    """Each process adds what its customers' messages were read as to the day's counts the report reads."""
    reports = SqlReports(database, zone)

    async def add(counts: Mapping[tuple[str, bool], int]) -> None:
        await reports.add_intents(reports.day(clock.now()), counts)

    return Periodic("intent counts", INTENTS_EVERY, lambda: metrics.report_intents(add))


def report_job(reports: Reports, outbox: OutboxStore, shop: ShopConfig) -> Periodic:
    """The lease holder queues the daily and weekly reports for the ops targets once their time has come. A
    missing CJK font is said at start: the reports would then go without their chart."""
    if shop.report.daily_at or shop.report.weekly_on:
        try:
            cjk_font()
        except FontMissing as missing:
            log.warning("%s", missing)
    targets = shop.report.targets or tuple(target.name for target in shop.alerts.targets)
    return Periodic("report push", REPORT_EVERY, ReportPush(reports, outbox, targets).tick, leased=True)


def presale_job(presale: SqlPresale, clock: Clock) -> Periodic:
    """The lease holder moves presale orders whose balance deadline passed to their own state."""
    return Periodic("presale balances", PRESALE_EVERY, lambda: presale.expire_balances(clock.now()), leased=True)


def review_job(review: SqlReview, shop: ShopConfig, clock: Clock) -> Periodic:
    """The lease holder reviews the orders that came in since, by the shop's rules."""
    return Periodic("order review", REVIEW_EVERY, lambda: review.review_new(shop.review, clock.now()), leased=True)


async def bootstrap(settings: Settings, clock: Clock | None = None, database: Database | None = None) -> App:
    """Open the store, bring its schema up to date and wire dialogue, channels, pushers and jobs to it.

    Tests pass a `database` of their own (a PostgreSQL schema, say); everyone else opens the settings' URL.
    """
    shop = load_shop_config(settings.shop_config)
    if settings.nlu_model.is_file():
        nlu.use_model(settings.nlu_model)  # the shop's own, trained with what its agents labelled
    clock = clock or SystemClock()
    zone = ZoneInfo(settings.timezone)
    database = database or open_database(settings.database_url)
    await upgrade(database)
    store = SqlOrderStore(database, publish_events=settings.webhook_url is not None)
    alerts, outbox = AlertStore(database), OutboxStore(database)
    budgets = SqlBudgets(database)
    clients = open_clients(settings, Shared(SqlTokens(database), budgets, clock))
    store.elsewhere = external_orders(settings, shop, clients, database, clock)
    tracking = tracking_provider(settings, shop.tracking.provider, clients, clock)
    if tracking is None and shop.tracking.provider:
        raise ShopConfigError(
            f"[tracking] provider = {shop.tracking.provider!r}, but its XIAOER_* settings are not given"
        )
    store.tracking = fresh_tracking(tracking, database, clock)
    holder = process_name()  # this process, as leases and inbox claims know it
    roster = Roster(shop.staff)
    handoffs = Handoffs(store, roster, shop.service, zone, budgets)
    metrics = Metrics()
    dialogue = Dialogue(store, nlu.parse, clock, zone, policy=shop.aftersales, handoffs=handoffs, observer=metrics)
    desk, chats = AgentDesk(store, clock, zone, shop.aftersales.return_address), AgentChats(store, clock, zone)
    review = SqlReview(database, shop.alerts.thresholds.ship_within, publish_events=settings.webhook_url is not None)
    reports = Reports(database, zone, clock, roster, shop.report)
    front = Front(dialogue, OpsCommands(alerts, roster, clock, zone, review, reports), desk, chats, roster)
    inbox, outgoing = InboxStore(database, holder), OutgoingStore(database)
    parts = Parts(settings, clients, database, inbox, outgoing, clock, Doorbell())
    channels = {name: channel for mount in CHANNELS for name, channel in mount.channels(parts).items()}
    pushers = build_pushers(clients, channels, settings, shop.alerts.targets)
    relay = Relay(outbox, pushers, shop.alerts, clock, zone, observe=metrics.pushed)
    jobs = Jobs(alerts, relay, Leases(database), shop.alerts, clock, zone, holder, on_scan=metrics.scanned)
    pushed = {name: channel for name, channel in channels.items() if isinstance(channel, PushChannel)}
    policy = SendPolicy(per_second=settings.telegram_per_second)
    sender = Sender(outgoing, pushed, clock, policy, budgets=budgets, observe=metrics.replied)

    def queued(chat_key: str) -> None:
        sender.kick()
        parts.doorbell.ring(chat_key)

    renderers: dict[str, Renderer] = {**channels, "console": ConsoleChannel()}
    pictures = Pictures(MediaStore(database), clock)
    windows = {name: channel.window for name, channel in pushed.items() if isinstance(channel, Windowed)}
    intake = Intake(inbox, channels, front, clock, pictures, queued, renderers, windows, metrics.turn)
    inbound = {mount.NAME: mount.inbound(parts, intake, channels) for mount in CHANNELS}
    jobs.periodic += [job for part in inbound.values() for job in part.periodic]
    jobs.periodic += event_jobs(settings, clients, database, clock)
    jobs.periodic += subscription_jobs(tracking, database, clock)
    presale = SqlPresale(database, publish_events=settings.webhook_url is not None)
    jobs.periodic += [transit_job(database, clock), review_job(review, shop, clock), presale_job(presale, clock)]
    jobs.periodic += [report_job(reports, outbox, shop), intents_job(metrics, database, zone, clock)]
    updates = CaseUpdates(CaseFeed(database), store, renderers, clock, desk, roster, queued)
    reach = Outreach(store, renderers, windows, clock, zone, queued)
    notices, oversell = CustomerNotices(NoticeStore(database), reach), OversellNotices(store, reach)
    if shop.alerts.tell_customers:
        jobs.after_scan += [notices.tick, oversell.tick]
    stale = StaleHandoffs(store, reach, shop.service)
    jobs.periodic.append(Periodic("stale hand-offs", STALE_EVERY, stale.tick, leased=True))
    return App(
        settings=settings,
        shop=shop,
        clock=clock,
        zone=zone,
        database=database,
        store=store,
        alerts=alerts,
        outbox=outbox,
        dialogue=dialogue,
        desk=desk,
        chats=chats,
        clients=clients,
        jobs=jobs,
        roster=roster,
        channels=channels,
        renderers=renderers,
        outgoing=outgoing,
        intake=intake,
        sender=sender,
        case_updates=updates,
        customer_notices=notices,
        oversell_notices=oversell,
        inbound=inbound,
        metrics=metrics,
        tracking=tracking,
        review=review,
        reports=reports,
        pictures=pictures,
        stale_handoffs=stale,
    )
