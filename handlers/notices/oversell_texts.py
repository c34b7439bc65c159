"""What the bot tells a customer whose item was sold beyond stock, and what it answers to their choice."""

OVERSELL_TEXTS = {
    "os_unasked": {"zh": "您好，小二主动跟您说一声：", "en": "Hello, a quick note from us: "},
    "os_oversold": {
        "zh": "订单 {order_no}（{platform}）里的「{title}」×{qty} 卖得太快，仓库暂时缺货，可能没法按时发出，非常抱歉。",
        "en": "{title} ×{qty} in order {order_no} ({platform}) sold faster than we could stock it, so it may not "
        "ship on time. We're very sorry.",
    },
    "os_restock_at": {"zh": "预计 {date} 补货到仓。", "en": "More is expected by {date}."},
    "os_restock_unknown": {"zh": "补货时间还没有确定。", "en": "We don't know yet when more arrives."},
    "os_choose": {"zh": "您看怎么处理更方便？", "en": "What would suit you best?"},
    "os_btn_wait": {"zh": "等待补货", "en": "Wait for the restock"},
    "os_btn_switch": {"zh": "换成 {title}", "en": "Switch to {title}"},
    "os_btn_cancel": {"zh": "取消订单并退款", "en": "Cancel and refund"},
    "os_waiting": {
        "zh": "好的，我们会为您保留订单，到货后第一时间发出，到货时也会告诉您。{restock}",
        "en": "All right, we'll keep your order and ship it as soon as the stock arrives, and let you know. {restock}",
    },
    "os_switched": {
        "zh": "已为您换成「{title}」（编号 #{case_id}），会尽快发出，差价如有会由客服联系您。",
        "en": "Switched to {title} (No. {case_id}); it ships soon. If the price differs, we'll be in touch.",
    },
    "os_switch_filed": {
        "zh": "已提交换成「{title}」的申请（编号 #{case_id}），客服确认后为您发出。",
        "en": "Your request to switch to {title} is in (No. {case_id}); it ships once a colleague confirms it.",
    },
    "os_variant_gone": {
        "zh": "抱歉，「{title}」刚刚也没货了。您可以等待补货，或者取消订单：",
        "en": "Sorry, {title} has just run out too. You can wait for the restock or cancel:",
    },
    "os_chosen": {
        "zh": "这个订单您已经选择过了（{choice}），如需改变请转人工。",
        "en": "You've already chosen for this order ({choice}); a person can change it for you.",
    },
    "os_unknown": {
        "zh": "抱歉，没有找到这条缺货通知，可能已经处理过了。",
        "en": "Sorry, I can't find that stock notice; it may have been dealt with already.",
    },
    "os_shipped_meanwhile": {
        "zh": "订单 {order_no} 刚刚已经发出，无法再取消或换款，请留意物流。",
        "en": "Order {order_no} has just shipped, so it can no longer be cancelled or switched; watch for the parcel.",
    },
    "os_restocked": {
        "zh": "您好，您等待的「{title}」（订单 {order_no}）已经补货到仓，我们会尽快为您发出。",
        "en": "Hello, {title} (order {order_no}) that you were waiting for is back in stock; it ships soon.",
    },
}
