"""What the bot says in after-sales conversations, Chinese first; `texts.say` reads these too."""

from __future__ import annotations

AFTERSALES_TEXTS: dict[str, dict[str, str]] = {
    "as_left": {
        "zh": "好的，本次申请已取消，没有提交任何内容。还有什么可以帮您？",
        "en": "OK, I've dropped the request; nothing was filed. Anything else I can do?",
    },
    "as_ask_order_no": {
        "zh": "请发送要申请{request}的订单号（在订单详情页可以复制）。",
        "en": "Please send the number of the order for the {request} (you can copy it from the order page).",
    },
    "as_pick_order": {"zh": "您要为哪个订单申请{request}？", "en": "Which order is the {request} for?"},
    "as_ask_items": {
        "zh": "订单 {order_no} 里有这些商品，您要为哪件申请{request}？\n{items}",
        "en": "Order {order_no} has these items. Which one is the {request} for?\n{items}",
    },
    "as_items_hint": {
        "zh": "请点选商品，或回复商品序号（如 1），全部商品请回复“全部”。",
        "en": 'Please tap an item or send its number (e.g. 1); send "all" for every item.',
    },
    "as_ask_reason": {"zh": "请问{request}的原因是？", "en": "What is the reason for the {request}?"},
    "as_reason_hint": {
        "zh": "请点选一个原因，方便我们尽快处理。",
        "en": "Please pick one of the reasons so we can handle it quickly.",
    },
    "as_ask_attribute": {
        "zh": "想换成什么尺码或颜色？（例如“L码”“42码”“黑色”）",
        "en": 'Which size or colour would you like instead? (e.g. "L", "42", "black")',
    },
    "as_ask_photos": {
        "zh": "请拍几张照片发给我（商品问题处和外包装，最多 {limit} 张）。",
        "en": "Please send a few photos of the problem and the packaging (up to {limit}).",
    },
    "as_photo_received": {
        "zh": "已收到 {count} 张照片（还有的话可以继续发）。",
        "en": "Got {count} photo(s); send more if you have them.",
    },
    "as_photo_needed": {
        "zh": "这个原因需要照片作为凭证，请至少发 1 张照片。没有照片的话可以转人工客服处理。",
        "en": "This reason needs at least one photo as evidence. Without photos, a person can help you instead.",
    },
    "as_photo_limit": {
        "zh": "照片已经够了（{limit} 张），请点“确认提交”提交申请，或点“算了”放弃。",
        "en": 'That is enough photos ({limit}); tap "File it" to file the request, or "Never mind" to drop it.',
    },
    "as_ask_address": {
        "zh": "请发送新的收货地址：省市区 + 详细地址（如需更换收货人，请一并写上姓名和电话）。",
        "en": "Please send the new delivery address: province, city, district and street "
        "(add a name and phone if the receiver changes too).",
    },
    "as_address_hint": {
        "zh": "地址好像不完整，请写清楚省市区和详细地址，例如“浙江省杭州市西湖区文三路 100 号”。",
        "en": 'That address looks incomplete; please include the city, district and street, e.g. "100 Wensan Rd, '
        'Xihu District, Hangzhou".',
    },
    "as_confirm": {
        "zh": "请确认您的申请：\n{summary}\n确认提交吗？",
        "en": "Please check your request:\n{summary}\nShall I file it?",
    },
    "as_confirm_hint": {
        "zh": "请点“确认提交”提交申请，或点“算了”放弃。",
        "en": 'Tap "File it" to file the request, or "Never mind" to drop it.',
    },
    "as_filed": {
        "zh": "已提交{request}申请（编号 #{case_id}），客服会尽快处理，每一步进展我都会在这里通知您。",
        "en": "Your {request} request is filed (No. {case_id}). An agent will handle it soon and I'll tell you "
        "here at every step.",
    },
    "as_auto_cancel": {
        "zh": "订单 {order_no} 已为您取消（编号 #{case_id}）。如已付款，款项会在 1–3 个工作日内原路退回。",
        "en": "Order {order_no} is cancelled (No. {case_id}). If you paid, the money goes back the way it came "
        "within 1–3 working days.",
    },
    "as_auto_address": {
        "zh": "收货地址已改好（编号 #{case_id}），仓库会按新地址发货：\n{address}",
        "en": "The delivery address is changed (No. {case_id}); the warehouse will ship to:\n{address}",
    },
    "as_duplicate": {
        "zh": "订单 {order_no} 已经有一个{request}申请（编号 #{case_id}，{state}），无需重复提交。",
        "en": "Order {order_no} already has a {request} request (No. {case_id}, {state}); no need to file again.",
    },
    "as_summary_order": {"zh": "订单：{order_no}（{platform}）", "en": "Order: {order_no} ({platform})"},
    "as_summary_request": {"zh": "申请：{request}", "en": "Request: {request}"},
    "as_summary_items": {"zh": "商品：{items}", "en": "Items: {items}"},
    "as_summary_parcel": {"zh": "包裹：{courier} {tracking_no}", "en": "Parcel: {courier} {tracking_no}"},
    "as_summary_reason": {"zh": "原因：{reason}", "en": "Reason: {reason}"},
    "as_summary_attribute": {"zh": "换成：{attribute}", "en": "Exchange for: {attribute}"},
    "as_summary_photos": {"zh": "照片：{count} 张", "en": "Photos: {count}"},
    "as_summary_address": {"zh": "新地址：{address}", "en": "New address: {address}"},
    "as_summary_intercept": {
        "zh": "包裹已发出，我们会联系快递拦截退回，退回后为您退款。",
        "en": "The parcel has left; we'll ask the courier to bring it back and refund you once it's back.",
    },
    "as_summary_deposit_kept": {
        "zh": "这是预售订单，尾款还没付：按店铺预售规则，取消后定金不退。",
        "en": "This is a presale order with its balance unpaid: by the shop's presale rules, the deposit is not "
        "refunded when it is cancelled.",
    },
    "as_summary_deposit_back": {
        "zh": "这是预售订单，尾款还没付：取消后定金会原路退回。",
        "en": "This is a presale order with its balance unpaid: the deposit goes back to you when it is cancelled.",
    },
    # refusals: why, then what to do instead
    "as_no_order_finished": {
        "zh": "订单 {order_no} 已经{state}，无法再申请{request}。",
        "en": "Order {order_no} is {state}, so a {request} is no longer possible.",
    },
    "as_no_already_shipped": {
        "zh": "订单 {order_no} 已经发货，仓库无法再修改收货地址。",
        "en": "Order {order_no} has shipped, so the warehouse can no longer change the address.",
    },
    "as_no_already_delivered": {
        "zh": "订单 {order_no} 已经签收，无法取消。",
        "en": "Order {order_no} has been delivered, so it can't be cancelled.",
    },
    "as_no_cannot_intercept": {
        "zh": "订单 {order_no} 已经发货，该快递不支持拦截。",
        "en": "Order {order_no} has shipped and its courier can't stop the parcel.",
    },
    "as_no_not_shipped": {
        "zh": "订单 {order_no} 还没有发货，不需要{request}。",
        "en": "Order {order_no} hasn't shipped yet, so no {request} is needed.",
    },
    "as_no_refund_only_reason": {
        "zh": "按店铺规则，“{reason}”不支持仅退款，需要退货退款。",
        "en": 'Under the shop\'s rules, "{reason}" needs the goods back: refund only is not possible.',
    },
    "as_no_not_delivered": {
        "zh": "订单 {order_no} 还在运输途中，签收后才能申请{request}。",
        "en": "Order {order_no} is still on its way; a {request} can be requested after delivery.",
    },
    "as_no_window_passed": {
        "zh": "订单 {order_no} 签收已超过 {days} 天，超出了{request}期限。",
        "en": "Order {order_no} was delivered more than {days} days ago, past the {request} window.",
    },
    "as_instead_return_after_delivery": {
        "zh": "您可以在签收后申请退货退款。",
        "en": "You can ask for a return and refund once it has been delivered.",
    },
    "as_instead_refuse_delivery": {
        "zh": "您可以在快递派送时直接拒收，包裹退回后我们会为您退款。",
        "en": "You can refuse the parcel at the door; we refund you once it comes back to us.",
    },
    "as_instead_cancel_order": {
        "zh": "您可以直接取消订单，点下方按钮即可。",
        "en": "You can simply cancel the order with the button below.",
    },
    "as_instead_ask_courier": {
        "zh": "可以联系快递员改派，或转人工客服帮您联系快递。",
        "en": "You can ask the courier to redirect it, or a person can contact the courier for you.",
    },
    "as_instead_talk_to_person": {
        "zh": "如有特殊情况，可以转人工客服为您处理。",
        "en": "If your case is special, a person can look into it for you.",
    },
    # progress
    "as_progress_none": {
        "zh": "您目前没有售后申请。如需退货、换货或退款，直接告诉我即可。",
        "en": "You have no after-sales requests. Just tell me if you want a return, exchange or refund.",
    },
    "as_progress_header": {"zh": "您的售后申请（最新在前）：", "en": "Your after-sales requests, newest first:"},
    "as_progress_line": {
        "zh": "#{case_id} {request} · 订单 {order_no} · {state} · {date}",
        "en": "No. {case_id} {request} · order {order_no} · {state} · {date}",
    },
    "as_next_send_back": {
        "zh": "　请把商品寄回：{address}，寄出后把快递单号发给我。",
        "en": "  Please send the goods to: {address}, then send me the return waybill number.",
    },
    "as_return_address_unknown": {"zh": "客服会单独告诉您退货地址", "en": "the address the agent gives you"},
    "as_next_waybill": {
        "zh": "　退货单号：{waybill}，到仓后尽快处理。",
        "en": "  Return waybill: {waybill}; handled as soon as it arrives.",
    },
    "as_next_need_info": {"zh": "　客服需要您补充：{question}", "en": "  The agent needs: {question}"},
    "as_next_rejected": {"zh": "　未通过：{why}", "en": "  Declined: {why}"},
    "as_waybill_taken": {
        "zh": "已登记退货快递单号 {waybill}（{courier}），对应申请 #{case_id}。"
        "仓库收到商品后会尽快处理，结果会通知您。",
        "en": "Return waybill {waybill} ({courier}) recorded for request No. {case_id}. We'll handle it as soon as "
        "the goods arrive and let you know.",
    },
    # told to the customer when their case moves (bot/case_updates.py)
    "as_tell_approved_goods": {
        "zh": "您的{request}申请 #{case_id}（订单 {order_no}）已同意 ✅\n"
        "请把商品寄回：{address}\n寄出后把快递单号发给我即可。",
        "en": "Your {request} request No. {case_id} (order {order_no}) is approved ✅\nPlease send the goods to: "
        "{address}\nthen send me the waybill number.",
    },
    "as_tell_approved": {
        "zh": "您的{request}申请 #{case_id}（订单 {order_no}）已同意 ✅ {next}",
        "en": "Your {request} request No. {case_id} (order {order_no}) is approved ✅ {next}",
    },
    "as_next_refund_only": {"zh": "退款会尽快原路退回。", "en": "The refund goes back the way you paid."},
    "as_next_intercept": {
        "zh": "我们正在联系快递拦截，包裹退回后为您退款。",
        "en": "We're asking the courier to bring the parcel back and will refund you once it's here.",
    },
    "as_next_cancel": {
        "zh": "订单会为您取消，如已付款将原路退款。",
        "en": "The order is cancelled; any payment is refunded.",
    },
    "as_next_address_change": {"zh": "仓库会按新地址发货。", "en": "The warehouse ships to the new address."},
    "as_tell_rejected": {
        "zh": "很抱歉，您的{request}申请 #{case_id} 未通过：{why}\n如有疑问，可以转人工客服。",
        "en": "Sorry, your {request} request No. {case_id} was declined: {why}\nA person can help if you disagree.",
    },
    "as_tell_need_info": {
        "zh": "关于您的{request}申请 #{case_id}，客服需要您补充：{question}\n请直接回复我（文字或照片都可以）。",
        "en": "About your {request} request No. {case_id}, the agent needs: {question}\nJust reply here "
        "(text or photos).",
    },
    "as_tell_goods_received": {
        "zh": "退回的商品已收到（申请 #{case_id}），正在为您办理{request}。",
        "en": "We've received the goods you sent back (No. {case_id}); your {request} is under way.",
    },
    "as_tell_refunded": {
        "zh": "已为您退款{amount}（申请 #{case_id}），一般 1–3 个工作日原路到账。",
        "en": "Refunded{amount} (No. {case_id}); it usually arrives within 1–3 working days.",
    },
    "as_tell_exchanged": {
        "zh": "换货商品已发出（申请 #{case_id}）{waybill}，请留意查收。",
        "en": "Your replacement is on its way (No. {case_id}){waybill}.",
    },
    "as_tell_closed": {
        "zh": "您的{request}申请 #{case_id} 已处理完毕，感谢您的耐心。",
        "en": "Your {request} request No. {case_id} is complete. Thank you for your patience.",
    },
    "as_answer_taken": {
        "zh": "已收到您的补充，转给客服继续处理（申请 #{case_id}）。",
        "en": "Thanks, I've passed that on to the agent (No. {case_id}).",
    },
    # buttons
    "btn_confirm": {"zh": "确认提交", "en": "File it"},
    "btn_never_mind": {"zh": "算了", "en": "Never mind"},
    "btn_all_items": {"zh": "全部商品", "en": "All items"},
    "btn_cancel_order": {"zh": "取消订单", "en": "Cancel the order"},
    "btn_progress": {"zh": "售后进度", "en": "My requests"},
}

REQUEST_NAMES = {
    "return_refund": {"zh": "退货退款", "en": "return and refund"},
    "exchange": {"zh": "换货", "en": "exchange"},
    "refund_only": {"zh": "仅退款", "en": "refund without return"},
    "cancel_order": {"zh": "取消订单", "en": "cancellation"},
    "change_address": {"zh": "修改地址", "en": "address change"},
    # case kinds that are not request words
    "cancel": {"zh": "取消订单", "en": "cancellation"},
    "intercept": {"zh": "拦截退回", "en": "parcel recall"},
    "address_change": {"zh": "修改地址", "en": "address change"},
}
REASON_NAMES = {
    "no_reason": {"zh": "七天无理由", "en": "Changed my mind"},
    "wrong_size": {"zh": "尺码不合适", "en": "Wrong size"},
    "quality": {"zh": "质量问题", "en": "Quality problem"},
    "damaged": {"zh": "商品破损", "en": "Arrived damaged"},
    "wrong_item": {"zh": "发错货", "en": "Wrong item sent"},
    "missing": {"zh": "少件/漏发", "en": "Something missing"},
    "not_received": {"zh": "没收到货", "en": "Never received"},
    "not_as_described": {"zh": "与描述不符", "en": "Not as described"},
}
CASE_STATE_NAMES = {
    "requested": {"zh": "待处理", "en": "waiting for an agent"},
    "need_info": {"zh": "待您补充信息", "en": "waiting for your answer"},
    "approved": {"zh": "已同意", "en": "approved"},
    "rejected": {"zh": "未通过", "en": "declined"},
    "goods_received": {"zh": "商品已到仓", "en": "goods received"},
    "refunded": {"zh": "已退款", "en": "refunded"},
    "exchanged": {"zh": "已换货发出", "en": "replacement sent"},
    "closed": {"zh": "已结束", "en": "closed"},
}
