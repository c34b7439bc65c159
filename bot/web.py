"""The aiohttp web app: health and metrics, the channels' callbacks, and the ingestion API."""

from __future__ import annotations

from html import escape

from aiohttp import web

from bot.api.routes import mount_api
from bot.bootstrap import App
from bot.channels.web.inbound import PATH as CHAT_PATH
from bot.couriers import mount_couriers
from bot.metrics import CONTENT_TYPE, Sources

APP_KEY = web.AppKey("xiaoer", App)


async def healthz(request: web.Request) -> web.Response:
    """200 when the store answers, 503 otherwise, so a load balancer can take the process out."""
    store = await request.app[APP_KEY].store.health()
    status = 200 if store["ok"] else 503
    return web.json_response({"status": "ok" if store["ok"] else "unavailable", "store": store}, status=status)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus's scrape: this process's turns, and the store's queues and open alerts."""
    app = request.app[APP_KEY]
    sources = Sources(app.store, app.intake.inbox, app.outgoing, app.outbox, app.alerts, app.clock)
    return web.Response(body=await app.metrics.render(sources), headers={"Content-Type": CONTENT_TYPE})


async def home(request: web.Request) -> web.Response:
    """Someone opening the server's address in a browser: the chat page where there is one, else a page that
    says what runs here and where to look."""
    app = request.app[APP_KEY]
    if "web" in app.channels:
        raise web.HTTPFound(CHAT_PATH)
    channels = "、".join(escape(name) for name in app.channels) or "（无，只有命令行）"
    body = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>店小二</title>'
        f"<h1>店小二正在运行</h1><p>已开启的渠道：{channels}</p>"
        '<p><a href="/healthz">/healthz</a> 健康检查 · <a href="/metrics">/metrics</a> 监控指标</p></html>'
    )
    return web.Response(text=body, content_type="text/html")


def build_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=64 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/", home)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    for receiver in app.receivers():
        receiver.routes(web_app)
    mount_api(web_app, app)
    mount_couriers(web_app, app.tracking, app.database)
    return web_app
