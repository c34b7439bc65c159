"""How an after-sales case reads to its customer: what it is, where it stands, what they should do next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.texts import CASE_STATE_NAMES, REASON_NAMES, REQUEST_NAMES
from handlers.texts import COURIER_NAMES, name_of, say
from oms_client.case_rules import CaseKind, CaseState
from oms_client.domain import Case

GOODS_BACK = (CaseKind.RETURN_REFUND, CaseKind.EXCHANGE)


class CaseView:
    def __init__(self, lang: str, tz: ZoneInfo, return_address: str) -> None:
        self.lang, self.tz, self.return_address = lang, tz, return_address

    def kind(self, case: Case) -> str:
        return name_of(REQUEST_NAMES, case.kind, self.lang)

    def state(self, case: Case) -> str:
        return name_of(CASE_STATE_NAMES, case.state, self.lang)

    def reason(self, code: str) -> str:
        return name_of(REASON_NAMES, code, self.lang)

    def date(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        return f"{local:%b} {local.day}" if self.lang == "en" else f"{local.month}月{local.day}日"

    def progress(self, cases: Sequence[Case]) -> str:
        """The answer to "我的售后进度": every recent case with the step that is the customer's to take."""
        if not cases:
            return say("as_progress_none", self.lang)
        lines = [say("as_progress_header", self.lang)]
        for case in cases:
            lines.append(self.line(case))
            lines += self.next_step(case)
        return "\n".join(lines)

    def line(self, case: Case) -> str:
        return say(
            "as_progress_line",
            self.lang,
            case_id=case.id,
            request=self.kind(case),
            order_no=case.order_no,
            state=self.state(case),
            date=self.date(case.created_at),
        )

    def next_step(self, case: Case) -> list[str]:
        detail = case.detail
        if case.state is CaseState.NEED_INFO and detail.get("question"):
            return [say("as_next_need_info", self.lang, question=detail["question"])]
        if case.state is CaseState.REJECTED and detail.get("why"):
            return [say("as_next_rejected", self.lang, why=detail["why"])]
        if case.state is not CaseState.APPROVED or case.kind not in GOODS_BACK:
            return []
        if detail.get("return_waybill"):
            return [say("as_next_waybill", self.lang, waybill=self.waybill(case))]
        address = self.return_address or say("as_return_address_unknown", self.lang)
        return [say("as_next_send_back", self.lang, address=address)]

    def waybill(self, case: Case) -> str:
        courier = case.detail.get("return_courier")
        number = str(case.detail.get("return_waybill", ""))
        return f"{name_of(COURIER_NAMES, courier, self.lang)} {number}" if courier else number
