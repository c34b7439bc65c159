"""Who the staff are (from the shop configuration) and what each may do from their chat."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from handlers.messages import Address

Role = Literal["agent", "ops", "admin"]
# The chat apps staff work from: each is a field of a member, their user id there.
STAFF_CHANNELS = ("telegram", "wecom")


class StaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    roles: tuple[Role, ...] = ("ops",)
    telegram: int | None = None  # Telegram user id
    wecom: str | None = None  # WeCom userid

    def can(self, role: Role) -> bool:
        return role in self.roles or "admin" in self.roles

    def accounts(self) -> dict[str, str]:
        """Channel → this member's user id there, for the chat apps they use."""
        ids = {channel: getattr(self, channel) for channel in STAFF_CHANNELS}
        return {channel: str(user_id) for channel, user_id in ids.items() if user_id not in (None, "")}

    def addresses(self) -> tuple[Address, ...]:
        """Where this member is pushed to: their chat apps, or the console when they have none."""
        return tuple(Address(channel, user_id) for channel, user_id in self.accounts().items()) or (
            Address("console", self.id),
        )


class Roster:
    def __init__(self, members: tuple[StaffMember, ...] = ()) -> None:
        self.members = members

    def with_member(self, member: StaffMember) -> Roster:
        return Roster((*(m for m in self.members if m.id != member.id), member))

    def agent_addresses(self) -> list[Address]:
        """Every chat new hand-offs and cases are pushed to."""
        return [address for member in self.members if member.can("agent") for address in member.addresses()]

    def find(self, channel: str, user_id: str) -> StaffMember | None:
        """The staff member behind a chat identity; customers and strangers get None.

        On the console (a terminal on the shop's own machine) the user id is the staff id.
        """
        for member in self.members:
            if (channel == "console" and member.id == user_id) or member.accounts().get(channel) == user_id:
                return member
        return None
