"""The composition root: production, the CLI and the tests build the app through `bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from wechatpy.crypto import WeChatCrypto
from wechatpy.work.crypto import WeChatCrypto as WeComCrypto

import nlu
from bot.case_updates import CaseUpdates
from bot.channels.console import ConsoleChannel
from bot.channels.intake import Intake
from bot.channels.pictures import Pictures
from bot.channels.port import ChatChannel, PushChannel, Renderer
from bot.channels.reply_window import Windowed
from bot.channels.sender import Sender, SendPolicy
from bot.channels.tencent_api import official_account_api
from bot.channels.web.channel import WebChatChannel
from bot.channels.web.doorbell import Doorbell
from bot.channels.web.inbound import WebChat
from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wechat.inbound import WeChatCallback
from bot.channels.wecom.channel import WeComAppChannel, WeComKfChannel
from bot.channels.wecom.inbound import KfFeed, WeComCallback
from bot.customer_notices import CustomerNotices
from bot.pushers.build import PushClients, Shared, build_pushers
from bot.settings import Settings
from bot.shop_config import ShopConfig, load_shop_config
from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.handoff.queue import Handoffs
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster
from notifications.relay import Relay
from notifications.scheduler import Jobs
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.outbox import OutboxStore
from oms_client.chats.case_feed import CaseFeed
from oms_client.chats.chat_log import ChatLog
from oms_client.chats.cursors import CursorStore
from oms_client.chats.inbox import InboxStore
from oms_client.chats.media import MediaStore
from oms_client.chats.notices import NoticeStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock, SystemClock
from oms_client.sql.database import Database, open_database
from oms_client.sql.leases import Leases
from oms_client.sql.migrate import upgrade
from oms_client.stores.budgets import SqlBudgets
from oms_client.stores.orders import SqlOrderStore
from oms_client.stores.tokens import SqlTokens


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
    push: PushClients
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
    wechat: WeChatCallback | None = None
    wecom: WeComCallback | None = None
    web_chat: WebChat | None = None

    def front(self, roster: Roster | None = None) -> Front:
        """The desk every channel hands messages to; `roster` overrides the configured staff (console --as)."""
        staff = roster or self.roster
        ops = OpsCommands(self.alerts, staff, self.clock, self.zone)
        return Front(self.dialogue, ops, self.desk, self.chats, staff)

    async def close(self) -> None:
        await self.push.close()
        await self.store.close()


async def bootstrap(settings: Settings, clock: Clock | None = None, database: Database | None = None) -> App:
    """Open the store, bring its schema up to date and wire dialogue, channels, pushers and jobs to it.

    Tests pass a `database` of their own (a PostgreSQL schema, say); everyone else opens the settings' URL.
    """
    shop = load_shop_config(settings.shop_config)
    clock = clock or SystemClock()
    zone = ZoneInfo(settings.timezone)
    database = database or open_database(settings.database_url)
    await upgrade(database)
    store, alerts, outbox = SqlOrderStore(database), AlertStore(database), OutboxStore(database)
    tokens, budgets = SqlTokens(database), SqlBudgets(database)
    push = build_pushers(settings, shop.alerts.targets, Shared(tokens, budgets, clock))
    relay = Relay(outbox, push.pushers, shop.alerts, clock, zone)
    jobs = Jobs(alerts, relay, Leases(database), shop.alerts, clock, zone)
    roster = Roster(shop.staff)
    handoffs = Handoffs(store, roster, shop.service, zone, budgets)
    dialogue = Dialogue(store, nlu.parse, clock, zone, policy=shop.aftersales, handoffs=handoffs)
    desk, chats = AgentDesk(store, clock, zone, shop.aftersales.return_address), AgentChats(store, clock, zone)
    front = Front(dialogue, OpsCommands(alerts, roster, clock, zone), desk, chats, roster)
    inbox, outgoing = InboxStore(database, jobs.holder), OutgoingStore(database)
    pushed: dict[str, PushChannel] = {}
    if push.telegram is not None:
        from bot.channels.telegram.channel import TelegramChannel  # aiogram loads only when Telegram is on

        pushed["telegram"] = TelegramChannel(push.telegram)
    if settings.wechat_appid and settings.wechat_secret:
        api = official_account_api(
            push.session, settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base, tokens, clock
        )
        pushed["wechat"] = WeChatChannel(api, inbox, outgoing, clock)
    if push.wecom is not None and settings.wecom_agent_id is not None:
        pushed["wecom"] = WeComAppChannel(push.wecom, settings.wecom_agent_id)
        pushed["wecom_kf"] = WeComKfChannel(push.wecom, inbox, outgoing, clock)
    channels: dict[str, ChatChannel] = dict(pushed)
    if settings.web_chat:
        channels["web"] = WebChatChannel()
    sender = Sender(outgoing, pushed, clock, SendPolicy(per_second=settings.telegram_per_second), budgets=budgets)
    doorbell = Doorbell()

    def queued(chat_key: str) -> None:
        sender.kick()
        doorbell.ring(chat_key)

    renderers: dict[str, Renderer] = {**channels, "console": ConsoleChannel()}
    media = MediaStore(database)
    pictures = Pictures(media, clock)
    windows = {name: channel.window for name, channel in pushed.items() if isinstance(channel, Windowed)}
    intake = Intake(inbox, channels, front, clock, pictures, queued, renderers, windows)
    updates = CaseUpdates(CaseFeed(database), store, renderers, clock, desk, roster, queued)
    notices = CustomerNotices(NoticeStore(database), store, renderers, windows, clock, zone, queued)
    if shop.alerts.tell_customers:
        jobs.after_scan.append(notices.tick)
    web_chat = None
    if settings.web_chat:
        log = ChatLog(database)
        web_chat = WebChat(intake, log, media, doorbell, clock, budgets, settings.trusted_proxy_header)
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
        push=push,
        jobs=jobs,
        roster=roster,
        channels=channels,
        renderers=renderers,
        outgoing=outgoing,
        intake=intake,
        sender=sender,
        case_updates=updates,
        customer_notices=notices,
        wechat=_wechat_callback(settings, intake, outgoing, clock),
        wecom=_wecom_callback(settings, push, intake, CursorStore(database), clock),
        web_chat=web_chat,
    )


def _wechat_callback(
    settings: Settings, intake: Intake, outgoing: OutgoingStore, clock: Clock
) -> WeChatCallback | None:
    if not (settings.wechat_token and settings.wechat_appid):
        return None
    crypto = None
    if settings.wechat_aes_key:
        crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    return WeChatCallback(settings.wechat_token, crypto, intake, outgoing, clock)


def _wecom_callback(
    settings: Settings, push: PushClients, intake: Intake, cursors: CursorStore, clock: Clock
) -> WeComCallback | None:
    if not (settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id and push.wecom):
        return None
    crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    return WeComCallback(settings.wecom_token, crypto, intake, clock, KfFeed(push.wecom, intake, cursors, clock))
