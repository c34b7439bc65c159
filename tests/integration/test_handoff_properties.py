"""Random sequences of customers asking for a person and agents claiming, writing and handing back.

Hypothesis drives three web customers and two Telegram agents through the real front desk on SQLite; after
every step: at most one open hand-off per chat and each where the model says, a held chat's messages all
reach its agent and none is answered by the bot, an agent's words reach exactly the customer they turned
to last, and the audit log holds one row per opening, claim and end.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

import nlu
from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.handoff.queue import Handoffs
from handlers.handoff.service_hours import ServiceHours
from handlers.messages import Address, IncomingMessage, Reply
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster, StaffMember
from oms_client.alerts.desk import AlertStore
from oms_client.clock import FixedClock
from oms_client.sql import models as m
from oms_client.sql.database import open_database
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, SHANGHAI
from tests.integration.test_case_workflow_properties import template_store

AGENTS = (StaffMember(id="li", name="李", roles=("agent",), telegram=1),
          StaffMember(id="wang", name="王", roles=("agent",), telegram=2))  # fmt: skip
CUSTOMERS = 3


def customer(index: int) -> Address:
    return Address("web", f"v{index}")


def agent_chat(index: int) -> Address:
    return Address("telegram", str(AGENTS[index].telegram))


@dataclass
class Model:
    open: dict[int, tuple[int, str | None]] = field(default_factory=dict)  # customer → (hand-off id, agent id)
    focus: dict[str, list[int]] = field(default_factory=dict)  # agent id → customers held, last turned to first
    last_id: dict[int, int] = field(default_factory=dict)  # customer → their latest hand-off id
    audit: dict[str, int] = field(default_factory=lambda: {"handoff.open": 0, "handoff.claim": 0, "handoff.end": 0})

    def holder(self, who: int) -> str | None:
        return self.open[who][1] if who in self.open else None

    def drop(self, who: int) -> None:
        agent = self.holder(who)
        if agent is not None:
            self.focus[agent].remove(who)
        del self.open[who]
        self.audit["handoff.end"] += 1


class HandoffFlow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        template, _ = template_store()
        self.folder = Path(tempfile.mkdtemp(prefix="xiaoer-handoff-run-"))
        shutil.copy(template, self.folder / "store.db")
        self.runner = asyncio.Runner()
        self.database = open_database(f"sqlite:///{self.folder / 'store.db'}")
        self.store = SqlOrderStore(self.database)
        self.clock = FixedClock(NOW)
        roster = Roster(AGENTS)
        handoffs = Handoffs(self.store, roster, ServiceHours(), SHANGHAI)
        dialogue = Dialogue(self.store, nlu.parse, self.clock, SHANGHAI, handoffs=handoffs)
        desk = AgentDesk(self.store, self.clock, SHANGHAI, "")
        ops = OpsCommands(AlertStore(self.database), roster, self.clock, SHANGHAI)
        self.front = Front(dialogue, ops, desk, AgentChats(self.store, self.clock, SHANGHAI), roster)
        self.model = Model()
        for who in range(CUSTOMERS):  # a chat's first words asking for a person are asked what about first
            self.send(customer(who), "你好")

    def send(self, chat: Address, text: str) -> list[Reply]:
        self.clock.advance(seconds=1)  # each turn later than the last: "turned to last" is well defined
        message = IncomingMessage(chat.channel, chat.chat_id, chat.chat_id, text)
        return self.runner.run(self.front.handle(message))

    @rule(who=st.integers(0, CUSTOMERS - 1))
    def customer_asks_for_a_person(self, who: int) -> None:
        replies = self.send(customer(who), "转人工")
        holder = self.model.holder(who)
        if who in self.model.open and holder is not None:
            assert [r.to for r in replies] == [agent_chat(self._index(holder))]  # relayed, the bot silent
            return
        if who in self.model.open:
            assert [r.to for r in replies] == [None]  # still waiting: told so, nobody pushed again
            return
        assert [r.to for r in replies] == [None, agent_chat(0), agent_chat(1)]
        opened = self.runner.run(self.store.chat_handoff(customer(who).key))
        assert opened is not None
        self.model.open[who] = (opened.id, None)
        self.model.last_id[who] = opened.id
        self.model.audit["handoff.open"] += 1

    @rule(who=st.integers(0, CUSTOMERS - 1), text=st.sampled_from(["你好", "我的快递到哪了", "算了"]))
    def customer_says(self, who: int, text: str) -> None:
        replies = self.send(customer(who), text)
        holder = self.model.holder(who)
        if holder is not None:
            assert [r.to for r in replies] == [agent_chat(self._index(holder))]
            assert replies[0].text.endswith(f"顾客：{text}")
            return
        assert replies and all(r.to is None for r in replies)  # the bot answers; no one else hears of it
        if who in self.model.open and text == "算了":
            self.model.drop(who)

    @rule(agent=st.integers(0, len(AGENTS) - 1), who=st.integers(0, CUSTOMERS - 1))
    def agent_claims(self, agent: int, who: int) -> None:
        if who not in self.model.last_id:
            return
        replies = self.send(agent_chat(agent), f"/claim {self.model.last_id[who]}")
        if who in self.model.open and self.model.holder(who) is None:
            assert [r.to for r in replies] == [None, customer(who)]
            member = AGENTS[agent].id
            self.model.open[who] = (self.model.open[who][0], member)
            self.model.focus.setdefault(member, []).insert(0, who)
            self.model.audit["handoff.claim"] += 1
        else:
            assert [r.to for r in replies] == [None]  # told who has it, or that it ended

    @rule(agent=st.integers(0, len(AGENTS) - 1))
    def agent_writes(self, agent: int) -> None:
        member = AGENTS[agent].id
        replies = self.send(agent_chat(agent), "您好，我来帮您")
        held = self.model.focus.get(member, [])
        relayed = [r.to for r in replies if r.to is not None]
        assert relayed == ([customer(held[0])] if held else [])

    @rule(agent=st.integers(0, len(AGENTS) - 1), who=st.integers(0, CUSTOMERS - 1))
    def agent_turns_to(self, agent: int, who: int) -> None:
        member = AGENTS[agent].id
        if who not in self.model.last_id:
            return
        replies = self.send(agent_chat(agent), f"/to {self.model.last_id[who]}")
        assert all(r.to is None for r in replies)
        if self.model.holder(who) == member:
            self.model.focus[member].remove(who)
            self.model.focus[member].insert(0, who)

    @rule(agent=st.integers(0, len(AGENTS) - 1))
    def agent_hands_back(self, agent: int) -> None:
        member = AGENTS[agent].id
        replies = self.send(agent_chat(agent), "/end")
        held = self.model.focus.get(member, [])
        if not held:
            assert [r.to for r in replies] == [None]
            return
        who = held[0]
        assert [r.to for r in replies] == [None, customer(who)]
        self.model.drop(who)

    @invariant()
    def each_chat_has_at_most_one_open_hand_off_where_the_model_says(self) -> None:
        async def open_ones() -> list[tuple[str, int, str | None]]:
            h = m.HandoffRow
            query = select(h.chat_key, h.id, h.agent_id).where(h.state != "ended")
            async with self.database.read.connect() as conn:
                return [(r.chat_key, r.id, r.agent_id) for r in await conn.execute(query)]

        found = sorted(self.run_query(open_ones()))
        assert found == sorted((customer(w).key, i, a) for w, (i, a) in self.model.open.items())

    @invariant()
    def every_opening_claim_and_end_is_audited_once(self) -> None:
        async def counts() -> dict[str, int]:
            log = m.AuditLogRow
            query = select(log.action, func.count()).where(log.action.like("handoff.%")).group_by(log.action)
            async with self.database.read.connect() as conn:
                return {r[0]: r[1] for r in await conn.execute(query)}

        assert self.run_query(counts()) == {k: v for k, v in self.model.audit.items() if v}

    def run_query(self, coroutine):  # type: ignore[no-untyped-def]
        return self.runner.run(coroutine)

    def _index(self, agent_id: str) -> int:
        return next(i for i, member in enumerate(AGENTS) if member.id == agent_id)

    def teardown(self) -> None:
        self.runner.run(self.database.dispose())
        self.runner.close()
        shutil.rmtree(self.folder, ignore_errors=True)


HandoffFlow.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestHandoffFlow = HandoffFlow.TestCase
