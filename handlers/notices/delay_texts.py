"""What the bot tells a customer, unasked, of a late order or a stuck parcel (`delay_notices`)."""

DELAY_TEXTS = {
    "dn_header": {"zh": "您好，小二主动跟您说一声：", "en": "Hello, a quick note from us:"},
    "dn_ship_overdue": {
        "zh": "· 订单 {order_no}（{platform}）没能按约定时间发出，非常抱歉。"
        "已请仓库优先处理，发出后我会把运单号告诉您。",
        "en": "· Order {order_no} ({platform}) did not ship by the promised time; we're sorry. The warehouse has been "
        "asked to put it first, and I'll send you the tracking number once it ships.",
    },
    "dn_transit_stalled": {
        "zh": "· 您的包裹（{courier} {tracking_no}，订单 {order_no}）已经 {hours} 小时没有新的物流信息。"
        "同事正在联系快递核实，有进展会告诉您。",
        "en": "· Your parcel ({courier} {tracking_no}, order {order_no}) has had no tracking update for {hours} hours. "
        "We're checking with the courier and will let you know.",
    },
    "dn_transit_exception": {
        "zh": "· 您的包裹（{courier} {tracking_no}，订单 {order_no}）物流显示：{event}。"
        "同事正在联系快递处理，有进展会告诉您。",
        "en": "· Your parcel ({courier} {tracking_no}, order {order_no}) shows: {event}. We're sorting it out with the "
        "courier and will let you know.",
    },
    "dn_transit_predicted_late": {
        "zh": "· 您的包裹（{courier} {tracking_no}，订单 {order_no}）比平常慢了一些：已发出 {days_out} 天，"
        "通常 {usual_days} 天内送达。同事已在跟进，有进展会告诉您。",
        "en": "· Your parcel ({courier} {tracking_no}, order {order_no}) is slower than usual: it left "
        "{days_out} days ago, and parcels like it usually arrive within {usual_days} days. We're following it up and "
        "will let you know.",
    },
    "dn_footer": {
        "zh": "给您添麻烦了。想了解详情可以点“我的订单”，也可以找人工客服。",
        "en": "Sorry for the trouble. Tap “My orders” for details, or talk to a person.",
    },
}
