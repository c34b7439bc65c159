"""The order questions' skill: the answer to "where is my order", "track my parcel" and "hurry it up" about an
order the chat user has proved, with the buttons that lead on from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.messages import Button, Reply
from handlers.order_view import OrderView
from handlers.texts import echo_button, say
from handlers.turn import Turn
from oms_client.domain import BEFORE_BALANCE, TO_SHIP, Order, OrderState, order_key
from oms_client.store import OrderStore

# How one order question is answered: the text, from the order as the view renders it.
Answer = Callable[[OrderStore, OrderView, Turn, Order], Awaitable[str]]


async def details(store: OrderStore, view: OrderView, turn: Turn, order: Order) -> str:
    return view.details(order)


async def tracking(store: OrderStore, view: OrderView, turn: Turn, order: Order) -> str:
    return view.tracking(order)


async def urge(store: OrderStore, view: OrderView, turn: Turn, order: Order) -> str:
    """A paid order's hurry is recorded, so the warehouse and the ship-SLA scan see who is waiting."""
    if order.state in TO_SHIP:
        late = order.is_ship_late(turn.now)
        subject = ("order", order_key(order.platform, order.order_no))
        await store.audit(turn.user.key, "urge_shipping", subject, {"late": late}, turn.now)
        return "\n".join([view.head(order), say("urged", view.lang), *view.shipping_promise(order)])
    if order.presale is not None and order.state in BEFORE_BALANCE:  # nothing to hurry before the balance
        return "\n".join([view.head(order), *view.shipping_promise(order)])
    if order.state is OrderState.PENDING_PAYMENT:
        return f"{view.head(order)}\n{say('unpaid', view.lang)}"
    if order.shipments:
        return f"{say('already_shipped', view.lang)}\n{view.tracking(order)}"
    return view.details(order)


async def reply(store: OrderStore, view: OrderView, turn: Turn, order: Order, answer: Answer) -> Reply:
    """The answer, with a button to track a parcel it did not show and one for a person when the order needs one."""
    text = await answer(store, view, turn, order)
    buttons = []
    if answer is not tracking and order.shipments:
        track = say("btn_track", view.lang)
        buttons.append(Button(track, f"{order.order_no} {track}"))
    if view.needs_person(order):
        buttons.append(echo_button("btn_human", view.lang))
    return Reply(text, tuple(buttons))
