"""`xiaoer` / `python -m bot`: the command line in DESIGN.md's contract."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import json
import logging
import signal
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

import nlu
from bot.bootstrap import App, bootstrap
from bot.channels.console import ConsoleDesk, run_console
from bot.channels.web.inbound import PATH as CHAT_PATH
from bot.importing import import_command
from bot.logs import configure_logging
from bot.nlu_shop import shop_training
from bot.privacy import privacy_command
from bot.reporting import report_command
from bot.samples import samples_as_json, samples_as_text, samples_from_meta
from bot.settings import Settings, settings_problems
from bot.shop_config import ShopConfigError
from bot.web import build_web_app
from handlers.staff.alert_texts import alerts_as_text
from handlers.staff.help import staff_help
from handlers.staff.roster import StaffMember
from nlu.evaluate import evaluate
from notifications.scheduler import Periodic, start_scheduler, stop_scheduler
from oms_client.chats.chat_log import ChatLog
from oms_client.clock import Clock
from oms_client.demo.seed import SAMPLES_META_KEY, StoreNotEmpty, seed_store
from oms_client.imports.importer import PLATFORMS
from oms_client.sql.database import open_database
from oms_client.sql.leases import Liveness
from oms_client.sql.migrate import upgrade
from oms_client.stores.retention import purge

log = logging.getLogger(__name__)
DEMO_ORDERS = 2_000
DEMO_SEED = 20261122
CASE_UPDATES_EVERY = timedelta(seconds=2)
SWEEP_EVERY = timedelta(seconds=5)
STOP_GRACE_SECONDS = 10
# A serving process says it is alive this often; a claim of one silent for HEARTBEAT_TTL is taken over
# (a process killed mid-turn), long before the claim's own minute. The TTL outlasts a busy event loop.
HEARTBEAT_EVERY = timedelta(seconds=3)
HEARTBEAT_TTL = timedelta(seconds=15)
# Chat data past its retention goes this often (an unused upload within this of its hour), purged by the
# lease holder.
PURGE_EVERY = timedelta(minutes=10)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xiaoer", description="店小二 — e-commerce customer-service bot")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web app and the enabled channels")
    serve.add_argument("--demo", action="store_true", help="seed demo data into an empty store first")
    chat = commands.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--user", default="console-user", help="chat user id (default: console-user)")
    chat.add_argument("--demo", action="store_true", help="seed demo data into an empty store first")
    chat.add_argument(
        "--as",
        dest="role",
        choices=("customer", "agent", "ops"),
        default="customer",
        help="who you are (default: customer)",
    )
    seed = commands.add_parser("seed", help="fill an empty store with deterministic synthetic data")
    seed.add_argument("--orders", type=int, default=DEMO_ORDERS)
    seed.add_argument("--seed", type=int, default=DEMO_SEED)
    seed.add_argument("--now", type=datetime.fromisoformat, help="the time the data is built around (ISO)")
    seed.add_argument("--json", action="store_true", help="print the sample orders as JSON")
    nlu_parser = commands.add_parser("nlu", help="the language understanding")
    nlu_commands = nlu_parser.add_subparsers(dest="nlu_command", required=True)
    nlu_parse = nlu_commands.add_parser("parse", help="print the parse of one message as JSON")
    nlu_parse.add_argument("text")
    nlu_eval = nlu_commands.add_parser("eval", help="score the NLU on a JSONL file of {text, intent, slots}")
    nlu_eval.add_argument("file", type=Path)
    nlu_train = nlu_commands.add_parser(
        "train", help="rebuild the intent model from nlu/data (needs the 'train' extra)"
    )
    nlu_train.add_argument(
        "--shop", action="store_true", help="the shop's own model: ours plus the messages its agents labelled"
    )
    scan = commands.add_parser("scan", help="run every alert scan once and print the open alerts")
    scan.add_argument("--now", type=datetime.fromisoformat, help="scan as if it were this time (ISO, with zone)")
    scan.add_argument("--json", action="store_true", help="print the alerts as a JSON list")
    report = commands.add_parser("report", help="the shop's report: sales, shipping, after-sales, oversell, the bot")
    report.add_argument("--from", dest="first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (default: today)")
    report.add_argument("--out", type=Path, help="write report.html and one PNG per chart into this folder")
    report.add_argument("--json", action="store_true", help="print the figures as JSON")
    privacy = commands.add_parser("privacy", help="PIPL: erase or export what the store holds about one person")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    for name, what in (("erase", "erase a person's chat data"), ("export", "print what the store holds about them")):
        person = privacy_commands.add_parser(name, help=what).add_mutually_exclusive_group(required=True)
        person.add_argument("--phone", help="the person's mobile number (the receiver phone on their orders)")
        person.add_argument("--user", help="one chat, as CHANNEL:ID (e.g. telegram:5150, web:<visitor id>)")
    imports = commands.add_parser("import", help="import a platform's order export (CSV or XLSX as it was downloaded)")
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imports.add_argument("--platform", required=True, choices=PLATFORMS)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "\n  ".join(settings_problems(error))
        print(f"设置有误，未启动（XIAOER_* 环境变量或 .env）：\n  {problems}", file=sys.stderr)
        return 2
    quiet = ("chat", "seed", "nlu", "scan", "db", "privacy", "import", "report")
    configure_logging("WARNING" if args.command in quiet else settings.log_level)
    if args.command == "nlu":
        return _nlu(args, settings)
    try:
        return asyncio.run(_run(args, settings))
    except KeyboardInterrupt:  # Ctrl-C in `chat` (serve stops on its own signal handler): end quietly
        print(file=sys.stderr)
        return 130


def _nlu(args: argparse.Namespace, settings: Settings) -> int:
    if args.nlu_command == "train" and args.shop:
        return asyncio.run(shop_training(settings.database_url, settings.nlu_model))
    if settings.nlu_model.is_file() and args.nlu_command != "train":
        nlu.use_model(settings.nlu_model)  # what the shop's bot reads with
    if args.nlu_command == "parse":
        print(json.dumps(nlu.parse(args.text).as_dict(), ensure_ascii=False))
        return 0
    if args.nlu_command == "train":
        from nlu.train import main as train

        return train()
    if not args.file.is_file():
        print(f"找不到文件：{args.file}", file=sys.stderr)
        return 2
    try:
        report = evaluate(args.file, nlu.parse)
    except (ValueError, KeyError) as error:  # json.JSONDecodeError is a ValueError
        print(f'文件格式不对（每行一个 {{"text", "intent", "slots"}} 对象）：{error}', file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "now", None) and args.now.tzinfo is None:
        print("--now needs a time zone, e.g. 2026-11-22T10:00:00+08:00", file=sys.stderr)
        return 2
    if args.command == "db":
        return await _db_upgrade(settings)
    try:
        app = await bootstrap(settings)
    except ShopConfigError as error:
        print(f"店铺配置有误，未启动：{error}", file=sys.stderr)
        return 2
    try:
        if args.command == "seed":
            return await _seed(app, args)
        if args.command == "chat":
            return await _chat(app, args)
        if args.command == "scan":
            return await _scan(app, args)
        if args.command == "report":
            return await report_command(app.reports, args.first, args.last, args.out, args.json)
        if args.command == "import":
            return await import_command(app, args.files, args.platform)
        if args.command == "privacy":
            return await privacy_command(app, args.privacy_command, args.phone, args.user)
        if args.command == "serve":
            return await _serve(app, args)
        return 0
    finally:
        await app.close()


async def _db_upgrade(settings: Settings) -> int:
    """Apply the migrations and say what changed (every other command applies them silently at its start)."""
    database = open_database(settings.database_url)
    try:
        before, after = await upgrade(database)
    finally:
        await database.dispose()
    if before == after:
        print(f"数据库已是最新版本（{after}），无需升级。")
    else:
        print(f"数据库已升级：{before or '空库'} → {after}。")
    return 0


async def _seed(app: App, args: argparse.Namespace) -> int:
    now = args.now or app.clock.now()
    try:
        result = await seed_store(app.database, orders=args.orders, seed=args.seed, now=now)
    except StoreNotEmpty as error:
        print(
            f"没有生成数据：数据库里已有 {error.orders} 个订单。请用一个空数据库（XIAOER_DATABASE_URL）。",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(samples_as_json(result.samples), ensure_ascii=False, indent=2))
        return 0
    print(
        f"已生成 {result.orders} 个订单、{result.customers} 位顾客、{result.shipments} 个包裹、"
        f"{result.tracking_events} 条物流轨迹，用时 {result.seconds:.1f} 秒"
    )
    print(samples_as_text(result.samples))
    return 0


async def _scan(app: App, args: argparse.Namespace) -> int:
    now = args.now or app.clock.now()
    alerts = app.shop.alerts
    change = await app.alerts.report(await app.alerts.scan(now, alerts.thresholds, alerts.routing(now, app.zone)))
    if args.json:
        print(json.dumps([alert.as_dict() for alert in change.open], ensure_ascii=False, indent=2))
    else:
        print(alerts_as_text(change, now))
    return 0


async def _seed_demo_if_empty(app: App) -> None:
    if await app.store.count_orders() == 0:
        await seed_store(app.database, orders=DEMO_ORDERS, seed=DEMO_SEED, now=app.clock.now())


async def _chat(app: App, args: argparse.Namespace) -> int:
    if args.demo:
        await _seed_demo_if_empty(app)
    roster = app.roster
    if args.role == "customer":
        await _print_samples(app)
    else:
        member = roster.find("console", args.user)
        if member is None or not member.can(args.role):
            member = StaffMember(id=args.user, name=args.user, roles=(args.role,))
            roster = roster.with_member(member)
        print(staff_help(member).text)  # staff start with their commands, not the customers' sample orders
    desk = ConsoleDesk(app.front(roster), app.outgoing, ChatLog(app.database), app.renderers, app.clock, app.pictures)
    await app.stale_handoffs.tick()  # no scheduler runs here: a queue left from an earlier run is ended now
    await run_console(desk, args.user)
    return 0


async def _serve(app: App, args: argparse.Namespace) -> int:
    if args.demo:
        await _seed_demo_if_empty(app)
    await _settle()
    liveness, holder = Liveness(app.database), app.jobs.holder
    await liveness.beat(holder, HEARTBEAT_TTL, app.clock.now())  # before the first claim this process makes
    runner = web.AppRunner(build_web_app(app))
    await runner.setup()
    await web.TCPSite(runner, app.settings.host, app.settings.port).start()
    log.info("listening on http://%s:%s", app.settings.host, app.settings.port)
    if args.demo:
        await _print_demo_start(app)
    app.jobs.periodic += _periodic(app, liveness)
    scheduler = start_scheduler(app.jobs)
    tasks = _channel_tasks(app)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await stop_scheduler(scheduler, app.jobs, STOP_GRACE_SECONDS)
    await runner.cleanup()  # no new deliveries; the ones taken in are answered below
    for task in tasks:
        task.cancel()
    with contextlib.suppress(TimeoutError):  # what is still unanswered stays in the inbox for the next start
        await asyncio.wait_for(app.intake.idle(), STOP_GRACE_SECONDS)
    await app.sender.tick()
    await app.jobs.step_down()
    await liveness.gone(holder)
    return 0


async def _print_demo_start(app: App) -> None:
    """`serve --demo`: the sample orders and where to try them, as `chat --demo` shows them."""
    await _print_samples(app)
    host = "127.0.0.1" if app.settings.host in ("0.0.0.0", "::") else app.settings.host
    where = f"http://{host}:{app.settings.port}"
    chat = f"网页聊天：{where}{CHAT_PATH}" if "web" in app.channels else f"服务地址：{where}（网页聊天未开启）"
    print(chat, flush=True)


async def _print_samples(app: App) -> None:
    """The sample orders the demo seeded, to try in a chat (nothing for a shop's own store)."""
    samples = samples_from_meta(await app.store.get_meta(SAMPLES_META_KEY))
    if samples:
        print(samples_as_text(samples))


async def _purge(app: App) -> None:
    purged = await purge(app.database, app.shop.privacy, app.clock.now())
    if any(purged.values()):
        log.info("purged past retention: %s", ", ".join(f"{kind} {rows}" for kind, rows in purged.items() if rows))


async def _beat(liveness: Liveness, holder: str, clock: Clock) -> None:
    await liveness.beat(holder, HEARTBEAT_TTL, clock.now())


async def _settle() -> None:
    """Load the NLU before the first customer would wait for it (off the loop), then hide everything loaded
    so far from the garbage collector: a full collection that walks jieba's dictionary and every module
    stalls all chats for about 0.2 s, and under load one comes every few seconds."""
    await asyncio.to_thread(nlu.parse, "你好")
    gc.freeze()


def _periodic(app: App, liveness: Liveness) -> list[Periodic]:
    """In every process: its heartbeat, the inbox sweep (which first picks up what a previous process left)
    and the customers' case updates; in the lease holder's: the retention purge. Channels add their own."""
    jobs = [
        Periodic("heartbeat", HEARTBEAT_EVERY, functools.partial(_beat, liveness, app.jobs.holder, app.clock)),
        Periodic("inbox sweep", SWEEP_EVERY, app.intake.sweep),
        Periodic("case updates", CASE_UPDATES_EVERY, app.case_updates.tick),
        Periodic("retention purge", PURGE_EVERY, functools.partial(_purge, app), leased=True),
    ]
    return jobs


def _channel_tasks(app: App) -> list[asyncio.Task[None]]:
    """What runs for as long as the process serves: the sender, and each channel's own (Telegram's updates,
    WeChat's menu set-up)."""
    serving = [run for part in app.inbound.values() for run in part.serving]
    tasks = [asyncio.create_task(app.sender.run()), *(asyncio.create_task(run()) for run in serving)]
    log.info("channels: %s", ", ".join(app.channels) or "console only")
    return tasks
