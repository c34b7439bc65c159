"""What every fake platform server is: an aiohttp app on a free loopback port, started and stopped by the test."""

from __future__ import annotations

from aiohttp import web

from tests.helpers import serve_on_loopback


class Loopback:
    base: str = ""  # http://127.0.0.1:<port>, once started
    _runner: web.AppRunner | None = None

    def install(self, app: web.Application) -> None:
        """Add the fake's routes."""
        raise NotImplementedError

    async def start(self) -> str:
        app = web.Application()
        self.install(app)
        self._runner, self.base = await serve_on_loopback(app)
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
