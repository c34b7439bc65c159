"""What `GET /metrics` tells operators, in Prometheus's text format (DESIGN: Scale and operations).

Each serving process answers for itself (per-process endpoints, not prometheus-client's multiprocess mode):
scrape every process and sum the counters (`sum by (channel) (rate(xiaoer_turns_total[5m]))`). From this process:
deliveries handled per channel and outcome and how long each took, replies sent or not per channel, what messages
were read as (intent, and how many were unsure), hand-offs by reason, proofs of identity by outcome, pushes per
target and whether taken, and how long its scans took. From the store, the same in every process: its health and
latency, the queues (deliveries not yet answered, replies not yet sent, alert pushes and outbound events not yet
delivered) with the oldest push's and event's age, and the open alerts per kind. Nothing personal: channels,
intents, reasons, outcomes, targets and kinds only, never a chat, an order or a phone.
"""

from __future__ import annotations

from collections import Counter as CountOf
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from oms_client.alerts.desk import AlertStore
from oms_client.alerts.outbox import OutboxStore
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock
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
    clock: Clock


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    # Messages by (intent, unsure) not yet added to the report's daily counts.
    unreported: CountOf[tuple[str, bool]] = field(default_factory=CountOf)

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
        self.oldest = Gauge("xiaoer_oldest_waiting_seconds", "Age of the longest-waiting item, by queue", ["queue"],
                            registry=r)  # fmt: skip
        self.replies = Counter("xiaoer_replies", "Replies this process sent (or not)", ["channel", "outcome"],
                               registry=r)  # fmt: skip
        self.intents = Counter("xiaoer_nlu_intents", "Customer messages by the intent read", ["intent"], registry=r)
        self.unsure = Counter("xiaoer_nlu_low_confidence", "Customer messages read without confidence", registry=r)
        self.handoffs = Counter("xiaoer_handoffs", "Chats handed to a person, by reason", ["reason"], registry=r)
        self.proofs = Counter("xiaoer_identity_proofs", "Proofs of an order's phone, by outcome", ["outcome"],
                              registry=r)  # fmt: skip
        self.pushes = Counter("xiaoer_pushes", "Pushes to alert targets, by target and outcome", ["target", "outcome"],
                              registry=r)  # fmt: skip
        self.scan_seconds = Histogram("xiaoer_scan_seconds", "How long one alert scan took", registry=r,
                                      buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))  # fmt: skip

    def turn(self, channel: str, seconds: float, ok: bool) -> None:
        self.turns.labels(channel, "answered" if ok else "failed").inc()
        self.turn_seconds.labels(channel).observe(seconds)

    def parsed(self, intent: str, confident: bool) -> None:
        self.intents.labels(intent).inc()
        self.unreported[(intent, not confident)] += 1
        if not confident:
            self.unsure.inc()

    async def report_intents(self, add: Callable[[Mapping[tuple[str, bool], int]], Awaitable[None]]) -> None:
        """Hand the intents counted since last time to the report's store (each process its own, every minute)."""
        counts, self.unreported = self.unreported, CountOf()
        try:
            await add(counts)
        except Exception:
            self.unreported.update(counts)  # kept for the next minute
            raise

    def handed_off(self, reason: str) -> None:
        self.handoffs.labels(reason).inc()

    def proved(self, outcome: str) -> None:
        self.proofs.labels(outcome).inc()

    def replied(self, channel: str, ok: bool) -> None:
        self.replies.labels(channel, "sent" if ok else "held").inc()

    def pushed(self, target: str, ok: bool) -> None:
        self.pushes.labels(target, "sent" if ok else "failed").inc()

    def scanned(self, seconds: float) -> None:
        self.scan_seconds.observe(seconds)

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
            now = sources.clock.now()
            for queue, events_queue in (("alert_pushes", False), ("events", True)):
                since = await sources.outbox.oldest(events_queue)
                self.oldest.labels(queue).set((now - since).total_seconds() if since else 0)
            self.alerts_open.clear()
            for kind, count in (await sources.alerts.open_by_kind()).items():
                self.alerts_open.labels(kind).set(count)
        return generate_latest(self.registry)
