"""What `GET /metrics` tells operators, in Prometheus's text format (DESIGN: Scale and operations).

From this process: deliveries handled per channel and outcome, and how long each took. From the store, the same
for every process: the store's health and latency, the queues (deliveries not yet answered, replies not yet sent,
alert pushes and outbound events not yet delivered) and the open alerts per kind. Nothing personal: channels
and kinds only, never a chat, an order or a phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from oms_client.alerts.desk import AlertStore
from oms_client.alerts.outbox import OutboxStore
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.events import EVENTS_TARGET
from oms_client.store import OrderStore

TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Sources:
    """Where the store-wide figures are read, each when /metrics is asked."""

    store: OrderStore
    inbox: InboxStore
    outgoing: OutgoingStore
    outbox: OutboxStore
    alerts: AlertStore


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.turns = Counter("xiaoer_turns", "Deliveries handled by this process", ["channel", "outcome"], registry=r)
        self.turn_seconds = Histogram(
            "xiaoer_turn_seconds", "From claiming a delivery to its replies queued", ["channel"],
            buckets=TURN_BUCKETS, registry=r,
        )  # fmt: skip
        self.store_up = Gauge("xiaoer_store_up", "1 when the order store answers", registry=r)
        self.store_latency = Gauge("xiaoer_store_latency_seconds", "A trivial query's round trip", registry=r)
        self.waiting = Gauge("xiaoer_waiting", "Items queued and not yet done, by queue", ["queue"], registry=r)
        self.alerts_open = Gauge("xiaoer_alerts_open", "Alerts not yet resolved, by kind", ["kind"], registry=r)

    def turn(self, channel: str, seconds: float, ok: bool) -> None:
        self.turns.labels(channel, "answered" if ok else "failed").inc()
        self.turn_seconds.labels(channel).observe(seconds)

    async def render(self, sources: Sources) -> bytes:
        health = await sources.store.health()
        self.store_up.set(1 if health["ok"] else 0)
        if health["ok"]:
            self.store_latency.set(health["latency_ms"] / 1000)
            events = await sources.outbox.pending(EVENTS_TARGET)  # the outbox holds both: events taken off pushes
            waiting = {
                "deliveries": await sources.inbox.unhandled(),
                "replies": await sources.outgoing.unsent(),
                "alert_pushes": await sources.outbox.pending() - events,
                "events": events,
            }
            for queue, count in waiting.items():
                self.waiting.labels(queue).set(count)
            self.alerts_open.clear()
            for kind, count in (await sources.alerts.open_by_kind()).items():
                self.alerts_open.labels(kind).set(count)
        return generate_latest(self.registry)
