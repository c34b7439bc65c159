"""GET /metrics in Prometheus's text format, on SQLite and PostgreSQL: this process's turns per channel and
their latency, the store's health, its queues and open alerts; nothing about a person."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import SeedResult
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.integration.test_telegram import CUSTOMER, start_rig
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
    assert found[("xiaoer_nlu_intents_total", (("intent", "logistics"),))] == 1
    assert found[("xiaoer_identity_proofs_total", (("outcome", "verified"),))] == 1
    assert ("xiaoer_oldest_waiting_seconds", (("queue", "alert_pushes"),)) in found
    assert ("xiaoer_nlu_low_confidence_total", ()) in found


async def test_metrics_move_when_a_customer_asks_for_a_person_and_a_scan_runs(
    database: Database, seeded: SeedResult
) -> None:
    async with start_web_rig(database) as rig:
        visitor = await rig.visitor()
        await WebCustomer(rig, visitor).say("转人工")
        await rig.app.jobs.scan_tick()
        async with aiohttp.ClientSession() as http, http.get(f"{rig.base}/metrics") as answer:
            found = _samples(await answer.text())
        await visitor.close()
    assert found[("xiaoer_handoffs_total", (("reason", "human_agent"),))] == 1
    assert found[("xiaoer_scan_seconds_count", ())] == 1


async def test_replies_sent_on_telegram_are_counted_per_channel(database: Database, tmp_path: Path) -> None:
    async with start_rig(database, tmp_path) as rig:
        await rig.say(rig.api.text_update(CUSTOMER, "你好"))
        found = _samples(generate_latest(rig.app.metrics.registry).decode())
    assert found[("xiaoer_replies_total", (("channel", "telegram"), ("outcome", "sent")))] == 1
