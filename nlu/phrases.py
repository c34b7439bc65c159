"""Free-phrase slots: why the customer wants after-sales (`reason`) and what they want instead (`attribute`).

Heuristic and clause-based: a message is cut into clauses, the first clause that names a problem is the
reason, and the thing after 换成/要/想要 that looks like a size, colour or spec is the attribute.
"""

from __future__ import annotations

import re

from nlu.normalize import Normalized

REASON_INTENTS = ("return_refund", "exchange", "refund_only")
_CLAUSE = re.compile(r"[^，。！？,.!?;；~～、\s]+(?: [a-z][^，。！？,.!?;；]*)?")
# fmt: off
_PROBLEM_CUES = (
    "坏", "破", "碎", "裂", "漏", "少", "缺", "错", "没收到", "没到", "不到", "丢", "过期", "变质", "烂", "化了", "死",
    "瑕疵", "质量", "划痕", "污渍", "掉色", "褪色", "起球", "味", "大了", "小了", "紧", "松", "短了", "长了",
    "不合适", "不喜欢", "不舒服", "磨脚", "显胖", "色差", "不一样", "不符", "不保暖", "没声音", "充不进", "不灵",
    "降价", "便宜", "买贵", "差价", "无理由", "不对", "偏小", "偏大", "穿不", "不配", "太硬", "太软", "压扁", "压坏",
    "鼓包", "冲动", "没给", "没送", "退回", "没拿到", "不好", "太差", "有问题", "不能用", "用不了", "发霉",
    "拍错", "买错", "不想要", "不要了", "太薄", "太厚", "做工", "线头", "开胶", "脱胶", "断了", "掉毛", "起皱", "卡顿",
    "发热", "发烫", "噪音", "异响", "不亮", "不新鲜", "假的", "假货", "二手", "旧的", "用过", "没效果", "过敏",
    "broken", "too small", "too big", "too loose", "too tight", "cracked", "damaged", "missing", "never received",
    "price dropped", "doesn't fit", "does not fit", "wrong", "defective", "not working",
)
_REQUEST_ONLY = re.compile(
    r"^(?:我)?(?:要|想|想要|申请|能|可以|怎么|给我|帮我|麻烦)?(?:退货退款|退货|退款|仅退款|换货|退|换)"
)
_COLOUR = r"(?:米白|酒红|墨绿|藏青|卡其|浅蓝|深蓝|天蓝|浅灰|深灰|玫红|奶白|咖啡|[黑白红粉蓝绿灰黄紫棕橙金银杏])"
_ATTRIBUTE = re.compile(
    r"(?:换成|换为|改成|想要|要|换)(?:一)?(?:个|双|件|条|只|套|款|副)?\s?"
    r"([0-9]+(?:gb|g|ml|l|米宽|米)(?![0-9a-z])|[0-9]{2,3}(?:码|cm|的)?|[xsml]{1,3}码?|x{0,2}l码?"
    r"|[大小]一[码号]|[大小]半码|[大小]号|加长款|新款|宽口径|iphone ?[0-9]{1,2}"
    rf"|{_COLOUR}色|{_COLOUR}的|{_COLOUR}(?=款|那|这)|[\u4e00-\u9fff]{{1,2}}味)"
)
_ATTRIBUTE_EN = re.compile(r"for (?:a )?(size [a-z0-9]+|[a-z]+(?= one))")
# fmt: on


def phrase_slots(intent: str, normalized: Normalized, original: str) -> dict[str, str]:
    slots: dict[str, str] = {}
    if intent not in REASON_INTENTS:
        return slots
    reason = _reason(normalized.text)
    if reason:
        slots["reason"] = normalized.original_span(original, *reason)
    if intent == "exchange":
        attribute = _ATTRIBUTE.search(normalized.text) or _ATTRIBUTE_EN.search(normalized.text)
        if attribute:
            value = attribute.group(1).removesuffix("的")
            start = attribute.start(1)
            slots["attribute"] = normalized.original_span(original, start, start + len(value))
    return slots


def _reason(text: str) -> tuple[int, int] | None:
    for clause in _CLAUSE.finditer(text):
        words = clause.group(0)
        if any(cue in words for cue in _PROBLEM_CUES) and not _REQUEST_ONLY.match(words):
            return clause.start(), clause.end()
    return None
