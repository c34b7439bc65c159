"""What comes in from the shop's other systems (an export file, the ingestion API) in the store's terms, before
the store decides whether it is new, changed or the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from oms_client.domain import Courier, OrderLine, OrderState, Platform, Presale, Receiver, TrackingState


@dataclass(frozen=True)
class ImportedShipment:
    courier: Courier
    tracking_no: str
    shipped_at: datetime | None = None
    skus: tuple[str, ...] = ()  # the order's lines it carries when the order ships in several (拆单); () all


@dataclass(frozen=True)
class ImportedOrder:
    platform: Platform
    order_no: str
    state: OrderState
    created_at: datetime
    paid_at: datetime | None
    total: Decimal
    receiver: Receiver
    buyer: str = ""  # the platform's buyer name (会员名, 下单帐号), where the export has one
    ship_by: datetime | None = None  # the platform's promise, where the source says it (else paid + the SLA)
    lines: tuple[OrderLine, ...] = ()
    # Lines a file only sketches (Taobao's order list: one titled line, no SKU): written for a new order, never
    # over the lines an order already has.
    provisional_lines: bool = False
    shipments: tuple[ImportedShipment, ...] = ()
    note: str = ""  # the buyer's message, where the source has one (the automatic review reads it)
    # A presale order's terms, where the source says the order is one (what it does not say stays as it was).
    presale: Presale | None = None
    line_no: int = 0  # the file's line the order starts on, for the report


@dataclass(frozen=True)
class ImportedLines:
    """An item file's lines of one order (Taobao's ExportOrderDetailList): they replace the order's lines."""

    platform: Platform
    order_no: str
    lines: tuple[OrderLine, ...]
    line_no: int = 0


@dataclass(frozen=True)
class TrackingUpdate:
    """A courier's scan of a parcel, as an ERP or a tracking provider reports it."""

    courier: Courier
    tracking_no: str
    at: datetime
    state: TrackingState
    text: str
    place: str = ""


@dataclass(frozen=True)
class StockLevel:
    sku: str
    warehouse: str
    on_hand: int
    restock_at: datetime | None = None  # when more is expected there, where the sender knows
    product: str | None = None  # the product it is a variant of (商家编码-商品维度): what a customer may switch to


@dataclass(frozen=True)
class Problem:
    """A row that could not be read (rejected), or a part of one that was left out (a waybill of an unknown
    courier): the file's line number and why, in Chinese, for the person who downloaded the file."""

    line_no: int
    reason: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.problems += other.problems

    def line(self) -> str:
        """The contract's last line of `xiaoer import`."""
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged} rejected={self.rejected}"
