"""The first, rule-based intent classifier: keyword cues with a priority order.

A stop-gap until the trained classifier of the NLU issue replaces it; it is kept deliberately small and
honest about its confidence so the dialogue can ask rather than guess.
"""

from __future__ import annotations

# Ordered by priority: when cues of several intents appear, the earlier intent is the main request.
CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "human_agent",
        ("转人工", "人工客服", "人工", "真人", "客服电话", "human", "real person", "agent", "speak to someone"),
    ),
    ("complaint", ("投诉", "差评", "12315", "曝光", "举报", "complain", "complaint")),
    (
        "change_address",
        (
            "改地址",
            "修改地址",
            "地址写错",
            "换地址",
            "地址改",
            "改收货",
            "收货地址",
            "改一下地址",
            "change address",
            "change the address",
            "wrong address",
        ),
    ),
    ("cancel_order", ("取消订单", "取消", "拦截", "不想要了", "拍错了", "cancel")),
    (
        "refund_only",
        (
            "仅退款",
            "少发",
            "漏发",
            "补差价",
            "保价",
            "没收到货",
            "没收到",
            "refund only",
            "missing item",
            "never received",
        ),
    ),
    ("exchange", ("换货", "换一个", "换个", "换尺码", "换码", "换颜色", "exchange", "swap")),
    ("return_refund", ("退货", "退款", "退掉", "退了", "不要了", "return", "refund", "send it back")),
    (
        "urge_shipping",
        (
            "发货",
            "还不发",
            "没发",
            "催",
            "打包",
            "出库",
            "什么时候发",
            "怎么还没发",
            "not shipped",
            "ship",
            "hurry",
            "dispatch",
        ),
    ),
    (
        "logistics",
        (
            "物流",
            "快递",
            "到哪",
            "在哪",
            "运单",
            "单号",
            "派送",
            "签收",
            "几天到",
            "什么时候到",
            "到了没",
            "wl",
            "kd",
            "track",
            "tracking",
            "where is",
            "where's",
            "delivery",
            "deliver",
            "arrive",
            "parcel",
            "package",
        ),
    ),
    ("order_status", ("订单", "我的订单", "别的订单", "其他订单", "付款成功", "下单", "order", "status")),
    (
        "greeting",
        (
            "你好",
            "您好",
            "在吗",
            "在么",
            "有人吗",
            "哈喽",
            "谢谢",
            "多谢",
            "再见",
            "好的",
            "嗯",
            "hi",
            "hello",
            "hey",
            "thanks",
            "thank you",
            "bye",
            "ok",
        ),
    ),
)

_ASCII_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz'"


def _has_cue(text: str, cue: str) -> bool:
    """Chinese cues match as substrings; English ones only as whole words ("ship" is not in "worship")."""
    if not cue.isascii():
        return cue in text
    start = text.find(cue)
    while start != -1:
        end = start + len(cue)
        before_ok = start == 0 or text[start - 1] not in _ASCII_WORD_CHARS
        after_ok = end == len(text) or text[end] not in _ASCII_WORD_CHARS
        if before_ok and after_ok:
            return True
        start = text.find(cue, start + 1)
    return False


def score_intents(text: str) -> list[tuple[str, float]]:
    """Intents whose cues appear, best first, with a confidence that falls with each rival."""
    matched = [intent for intent, cues in CUES if any(_has_cue(text, cue) for cue in cues)]
    if not matched:
        return [("other", 0.3)]
    first = 0.9 if len(matched) == 1 else 0.75
    return [(intent, first if rank == 0 else 0.4 / rank) for rank, intent in enumerate(matched)]
