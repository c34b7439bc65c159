"""Who writes decides who answers: staff commands for staff, the customer dialogue for everyone else."""

from __future__ import annotations

from handlers.dialogue import Dialogue
from handlers.messages import IncomingMessage, Reply
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.help import asks_for_help, staff_help
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster


class Front:
    def __init__(
        self, dialogue: Dialogue, ops: OpsCommands, desk: AgentDesk, chats: AgentChats, roster: Roster
    ) -> None:
        self.dialogue, self.ops, self.desk, self.chats, self.roster = dialogue, ops, desk, chats, roster

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        member = self.roster.find(message.channel, message.user_id)
        if member is not None and (member.can("agent") or member.can("ops")) and asks_for_help(message.text):
            return [staff_help(member)]
        if member is not None and member.can("agent"):
            reply = await self.desk.handle(member, message.text)
            if reply is not None:
                return [reply]
            relayed = await self.chats.handle(member, message)
            if relayed is not None:
                return relayed
        if member is not None and member.can("ops"):
            reply = await self.ops.handle(member, message.text)
            if reply is not None:
                return [reply]
        return await self.dialogue.handle(message)
