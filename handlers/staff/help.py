"""What a staff member's /help (or 帮助) shows: the commands of their roles, in Chinese, never the customer's
greeting; staff chats start with it too, since nobody guesses `/cases` or `/alerts 严重` on their own."""

from __future__ import annotations

import re

from handlers.messages import Button, Reply
from handlers.staff import chats, desk, ops
from handlers.staff.roster import Role, StaffMember

ROLE_NAMES: dict[Role, str] = {"agent": "客服", "ops": "运营"}
ASKED = re.compile(r"^(?:/(?:help|start)(?:@\w+)?|帮助|help|菜单)$", re.IGNORECASE)


def asks_for_help(text: str) -> bool:
    return ASKED.match(text.strip()) is not None


def staff_help(member: StaffMember) -> Reply:
    """The commands of the member's roles, with buttons for the lists they look at most."""
    roles = "、".join(name for role, name in ROLE_NAMES.items() if member.can(role))
    parts = [f"{member.name}，您好！您是店小二的{roles}。可用命令："]
    buttons: list[Button] = []
    if member.can("ops"):
        parts.append(ops.USAGE)
        buttons += [Button("告警", "/alerts"), Button("待审核订单", "/holds"), Button("今日报表", "/report")]
    if member.can("agent"):
        parts += [desk.USAGE, chats.USAGE]
        buttons += [Button("售后申请", "/cases"), Button("排队的顾客", "/chats")]
    parts.append("发送 /help 或“帮助”再次查看。")
    return Reply("\n\n".join(parts), tuple(buttons))
