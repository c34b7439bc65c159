"""GET /metrics in Prometheus's text format, on SQLite and PostgreSQL: this process's turns per channel and
their latency, the store's health, its queues and open alerts; nothing about a person."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import SeedResult
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.web_rig import WebCustomer, start_web_rig


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_turns_and_show_queues_and_alerts_without_personal_data(
    database: Database, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    async with start_web_rig(database) as rig:
        await rig.app.alerts.scan(NOW, ScanLimits())
        visitor = await rig.visitor()
        customer = WebCustomer(rig, visitor)
        await customer.say(f"订单 {sample.order_id} 到哪了")
        await customer.say(sample.phone_tail)
        async with aiohttp.ClientSession() as http, http.get(f"{rig.base}/metrics") as answer:
            assert answer.status == 200 and answer.content_type == "text/plain"
            text = await answer.text()
        await visitor.close()
    found = _samples(text)
    assert found[("xiaoer_turns_total", (("channel", "web"), ("outcome", "answered")))] == 2
    assert found[("xiaoer_turn_seconds_count", (("channel", "web"),))] == 2
    assert found[("xiaoer_store_up", ())] == 1
    assert found[("xiaoer_waiting", (("queue", "deliveries"),))] == 0
    assert sum(v for (name, _), v in found.items() if name == "xiaoer_alerts_open") > 0
    assert sample.order_id not in text and "web:" not in text  # no order, no chat
