"""Every sentence the bot says, Chinese first, English when the user writes English."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.aftersales.texts import AFTERSALES_TEXTS
from handlers.handoff.texts import HANDOFF_TEXTS
from handlers.messages import Button
from handlers.notices.delay_texts import DELAY_TEXTS
from handlers.notices.oversell_texts import OVERSELL_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "zh": "您好，我是店小二 🙂 可以帮您：\n· 查订单、查物流、催发货（发我订单号）\n"
        "· 退货退款、换货、仅退款、取消订单、改地址\n· 需要时为您转人工客服\n"
        "查询订单时，为保护隐私，需要您提供收货手机号后四位。",
        "en": "Hello, I'm Xiaoer, the shop assistant. I can:\n· check an order or a parcel, chase a shipment "
        "(send me the order number)\n· take a return, exchange, refund, cancellation or address change\n"
        "· put you through to a person when you need one\n"
        "To protect your privacy I'll ask for the last four digits of the receiver's phone.",
    },
    "help": {
        "zh": "直接说您要办的事就行，例如：\n“订单 123456 到哪了”“怎么还不发货”“我要退货”“换个尺码”“改地址”“转人工”。\n"
        "查询订单时会请您提供收货手机号后四位核实身份。",
        "en": 'Just tell me what you need, e.g. "where is order 123456", "why hasn\'t it shipped", '
        '"I want to return it", "change my address", "talk to a person".\n'
        "I'll ask for the last four digits of the receiver's phone before showing an order.",
    },
    "greet_again": {
        "zh": "您好，还有什么可以帮您？",
        "en": "Hi again, what else can I do for you?",
    },
    "cancelled": {
        "zh": "好的，已取消。还有什么可以帮您？",
        "en": "OK, cancelled. Anything else I can do?",
    },
    "thanks": {"zh": "不客气，还有什么可以帮您？", "en": "You're welcome! Anything else I can do?"},
    "empty": {
        "zh": "您好，请问有什么可以帮您？发我订单号即可查询订单和物流。",
        "en": "Hi, how can I help? Send me an order number to check its status or parcel.",
    },
    "too_long": {
        "zh": "您的消息太长了（超过 {limit} 字），请简短描述您的问题，例如“订单 123… 到哪了”。",
        "en": 'Your message is too long (over {limit} characters). Please keep it short, e.g. "where is order 123…".',
    },
    "ask_order_no": {
        "zh": "请发送您要查询的订单号（在订单详情页可以复制）。",
        "en": "Please send the order number (you can copy it from the order details page).",
    },
    "ask_phone_tail": {
        "zh": "为了保护您的隐私，请提供订单 {order_no} 收货手机号的后四位。",
        "en": "To protect your privacy, please send the last four digits of the receiver's phone for order {order_no}.",
    },
    "ask_whole_phone": {
        "zh": "订单 {order_no} 暂时不能用手机尾号验证了。为保护您的订单，请发送完整的收货手机号（11 位）来验证，"
        "或联系人工客服。",
        "en": "Order {order_no} can't be checked with the last four digits for now. To keep the order safe, please "
        "send the receiver's whole phone number (11 digits), or ask a person for help.",
    },
    "phone_tail_format": {
        "zh": "请发送 4 位数字，即收货手机号的后四位。",
        "en": "Please send 4 digits: the last four of the receiver's phone.",
    },
    "intercept_requested": {
        "zh": "🛑 {time} 已向快递申请拦截退回，包裹会退回仓库；如仍被派送，可直接拒收。",
        "en": "🛑 We asked the courier on {time} to stop this parcel and send it back; if it is still delivered, "
        "you can refuse it at the door.",
    },
    "orders_unavailable": {
        "zh": "订单系统暂时连不上，没能核对这个订单。请过一会儿再发一次手机号后四位；着急的话可以转人工。",
        "en": "The order system isn't answering right now, so I couldn't check this order. Please send the last "
        "four digits again in a little while, or ask for a person if it's urgent.",
    },
    "no_match": {
        "zh": "没有找到与该手机号后四位匹配的订单，请核对订单号和收货手机号后四位后再试。",
        "en": "I couldn't find an order matching those digits. Please check the order number and "
        "the last four digits of the receiver's phone.",
    },
    "locked": {
        "zh": "验证失败次数过多，为保护账户安全，暂时无法继续查询。如需帮助，请联系人工客服。",
        "en": "Too many failed attempts; for your security I can't look this up for now. "
        "A person can help you instead.",
    },
    "verified": {"zh": "验证成功 ✅", "en": "Verified ✅"},
    "no_orders": {"zh": "暂时没有查到您的订单。", "en": "I couldn't find any orders for you."},
    "orders_header": {"zh": "您最近的订单（按下单时间，最新在前）：", "en": "Your recent orders, newest first:"},
    "pick_order": {"zh": "您要查询哪一个订单？", "en": "Which order do you mean?"},
    "urged": {
        "zh": "已为您催促仓库尽快发货，我们会优先处理。",
        "en": "I've asked the warehouse to hurry; your order is now prioritised.",
    },
    "late": {
        "zh": "已超过承诺发货时间 {hours} 小时，非常抱歉！",
        "en": "It is {hours} h past the promised ship-by time, we're very sorry!",
    },
    "ship_by": {"zh": "承诺发货：{time} 前", "en": "Ships by: {time}"},
    "not_shipped": {"zh": "订单还没有发货。", "en": "The order hasn't shipped yet."},
    "unpaid": {
        "zh": "订单还未付款，付款后我们会尽快发货。",
        "en": "The order isn't paid yet; we'll ship soon after payment.",
    },
    "no_parcel": {"zh": "订单{state}，没有物流信息。", "en": "The order is {state}; there is no parcel to track."},
    "already_shipped": {"zh": "订单已经发货啦：", "en": "Good news, it has already shipped:"},
    "stalled": {
        "zh": "⚠️ 物流已 {hours} 小时没有更新，如需核实请联系人工客服。",
        "en": "⚠️ No tracking update for {hours} h; a person can check with the courier for you.",
    },
    "exception": {
        "zh": "⚠️ 包裹出现异常，建议联系人工客服处理。",
        "en": "⚠️ The parcel has a problem; a person can sort it out for you.",
    },
    "fallback": {
        "zh": "抱歉，这个问题我暂时还处理不了。我可以帮您查订单状态、查物流、催发货。",
        "en": "Sorry, I can't handle that yet. I can check an order, track a parcel or chase a shipment.",
    },
    "clarify": {"zh": "抱歉，我不太确定您的意思。您是想：", "en": "Sorry, I'm not sure what you mean. Do you want to:"},
    "error": {
        "zh": "抱歉，系统开小差了，请稍后再试。",
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
    },
    # labels
    "btn_orders": {"zh": "我的订单", "en": "My orders"},
    "btn_track": {"zh": "查物流", "en": "Track parcel"},
    "btn_human": {"zh": "转人工", "en": "Talk to a person"},
    "order_head": {"zh": "订单 {order_no}（{platform}）", "en": "Order {order_no} ({platform})"},
    "status": {"zh": "状态：{state}", "en": "Status: {state}"},
    "items": {"zh": "商品：{items}（共 {count} 件，¥{total}）", "en": "Items: {items} ({count} pcs, ¥{total})"},
    "paid_at": {"zh": "付款时间：{time}", "en": "Paid: {time}"},
    "parcel": {"zh": "物流：{courier} {tracking_no}", "en": "Parcel: {courier} {tracking_no}"},
    "latest": {"zh": "最新：{time} {text}", "en": "Latest: {time} {text}"},
    "eta": {"zh": "预计送达：{date}", "en": "Expected delivery: {date}"},
    "eta_missed": {"zh": "原预计 {date} 送达，已延误", "en": "Was expected on {date}; it is running late"},
    "parcels_head": {"zh": "您的订单分 {count} 个包裹发出：", "en": "Your order ships in {count} parcels:"},
    "parcels_head_part": {
        "zh": "您的订单部分发货，已发出 {count} 个包裹：",
        "en": "Your order has partly shipped, in {count} parcel(s) so far:",
    },
    "parcels_waiting": {"zh": "还有 {count} 件待发货：{items}", "en": "{count} more to ship: {items}"},
    "presale_deposit": {
        "zh": "预售商品，您已付定金{deposit}",
        "en": "A presale item: you've paid the deposit{deposit}",
    },
    "balance_later": {
        "zh": "尾款 {start} 开始支付，{due} 截止",
        "en": "The balance can be paid from {start} until {due}",
    },
    "balance_now": {"zh": "尾款现在可以支付，请在 {due} 前付清", "en": "The balance can be paid now, until {due}"},
    "presale_ship_days": {"zh": "付尾款后 {days} 天内发货", "en": "It ships within {days} days of the balance"},
    "presale_ship_date": {"zh": "付尾款后，约定 {date} 前发货", "en": "Once the balance is paid, it ships by {date}"},
    "presale_ship_by": {
        "zh": "预售订单，约定 {date} 前发货，目前还在约定时间内",
        "en": "A presale order: it ships by {date}, and it is still within that time",
    },
    "balance_overdue": {
        "zh": "这是预售订单，尾款没有在截止时间（{due}）前付清，订单不会再发货。"
        "如需取消订单，可以直接告诉我，定金按店铺预售规则处理",
        "en": "This presale order's balance wasn't paid by its deadline ({due}), so it won't ship. Tell me if you "
        "want to cancel it; the deposit is handled by the shop's presale rules",
    },
    "on_hold": {
        "zh": "订单正在审核，通常 {hours} 小时内完成（{time} 前），审核通过后按约定时间发货",
        "en": "Your order is being reviewed, usually within {hours} h (by {time}); it ships on schedule once approved",
    },
    "on_hold_late": {
        "zh": "订单审核比平时久了一些，已请同事尽快处理，审核通过后按约定时间发货",
        "en": "The review of your order is taking longer than usual; we've asked a colleague to finish it soon",
    },
    "eta_usual": {
        "zh": "预计 {date} 送达，{who}通常 {span} 天",
        "en": "Expected on {date}; {who} usually take {span} days",
    },
    "eta_soon": {
        "zh": "{who}通常 {span} 天送达，包裹已发出 {days} 天，应该很快就到",
        "en": "Usually {who} take {span} days; yours left {days} days ago and should arrive soon",
    },
    "eta_late": {
        "zh": "{who}通常 {span} 天送达，包裹已发出 {days} 天，比平常慢，我们在跟进",
        "en": "Usually {who} take {span} days; yours left {days} days ago, slower than usual, and we are following "
        "it up",
    },
    # Whose parcels the usual time is learned from (TransitTime.level).
    "usual_route": {"zh": "这条线路", "en": "parcels on this route"},
    "usual_courier": {"zh": "{courier}", "en": "{courier} parcels"},
    "usual_overall": {"zh": "本店包裹", "en": "our parcels"},
    "receiver": {"zh": "收货人：{name} {phone} {address}", "en": "Receiver: {name} {phone} {address}"},
    "order_line": {
        "zh": "{index}. {platform} {order_no} · {state} · {title}{more} · {date}",
        "en": "{index}. {platform} {order_no} · {state} · {title}{more} · {date}",
    },
    "more_items": {"zh": " 等{count}件", "en": " +{count} more"},
    **AFTERSALES_TEXTS,
    **HANDOFF_TEXTS,
    **DELAY_TEXTS,
    **OVERSELL_TEXTS,
}

STATE_NAMES = {
    "pending_payment": {"zh": "待付款", "en": "awaiting payment"},
    "deposit_paid": {"zh": "预售：已付定金，待付尾款", "en": "presale: deposit paid, balance due"},
    "balance_overdue": {"zh": "预售：尾款逾期未付", "en": "presale: balance not paid in time"},
    "paid": {"zh": "已付款，待发货", "en": "paid, awaiting shipment"},
    "part_shipped": {"zh": "部分发货", "en": "partly shipped"},
    "shipped": {"zh": "已发货", "en": "shipped"},
    "delivered": {"zh": "已签收", "en": "delivered"},
    "completed": {"zh": "已完成", "en": "completed"},
    "cancelled": {"zh": "已取消", "en": "cancelled"},
    "closed": {"zh": "已关闭（超时未付款）", "en": "closed (not paid in time)"},
}
PLATFORM_NAMES = {
    "taobao": {"zh": "淘宝", "en": "Taobao"},
    "tmall": {"zh": "天猫", "en": "Tmall"},
    "jd": {"zh": "京东", "en": "JD"},
    "pdd": {"zh": "拼多多", "en": "Pinduoduo"},
    "douyin": {"zh": "抖音", "en": "Douyin"},
    "wxshop": {"zh": "微信小店", "en": "WeChat shop"},
    "pos": {"zh": "门店", "en": "in store"},
}
# Where one parcel is, in an answer that goes parcel by parcel.
TRACKING_NAMES = {
    "none": {"zh": "待揽收", "en": "awaiting pickup"},
    "collected": {"zh": "已揽收", "en": "picked up"},
    "in_transit": {"zh": "运输中", "en": "in transit"},
    "out_for_delivery": {"zh": "派送中", "en": "out for delivery"},
    "signed": {"zh": "已签收", "en": "delivered"},
    "exception": {"zh": "异常", "en": "problem"},
    "returned": {"zh": "退回中", "en": "being returned"},
}
COURIER_NAMES = {
    "SF": {"zh": "顺丰速运", "en": "SF Express"},
    "ZTO": {"zh": "中通快递", "en": "ZTO Express"},
    "YTO": {"zh": "圆通速递", "en": "YTO Express"},
    "YD": {"zh": "韵达快递", "en": "Yunda Express"},
    "STO": {"zh": "申通快递", "en": "STO Express"},
    "JT": {"zh": "极兔速递", "en": "J&T Express"},
    "EMS": {"zh": "中国邮政EMS", "en": "China Post EMS"},
    "JD": {"zh": "京东快递", "en": "JD Logistics"},
}


def say(key: str, lang: str, **values: object) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry["zh"]).format(**values)


def echo_button(key: str, lang: str) -> Button:
    """A button that sends its own label, so pressing it reads exactly like typing it."""
    label = say(key, lang)
    return Button(label, label)


def name_of(table: dict[str, dict[str, str]], code: str, lang: str) -> str:
    entry = table.get(code)
    return entry.get(lang, entry["zh"]) if entry else code


def code_named(names: Mapping[str, str], word: str) -> str | None:
    """The code staff mean by `word`, typed as the code itself (logistics, critical) or as its name (查物流, 严重)."""
    return next((code for code, name in names.items() if word in (code, name)), None)
