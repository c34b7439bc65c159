"""The training set: the team's written templates (nlu/data/intents/*.txt) filled and varied.

Each template line is rendered several times with different order numbers, waybills, items, sizes and
the openers and closers customers put around a request, so the classifier learns the request and not
the filler. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu.lexicon import COURIER_NAMES
from nlu.types import INTENTS

DATA_DIR = Path(__file__).with_name("data") / "intents"
VARIANTS_PER_TEMPLATE = 8
SHOP_VARIANTS = 40

# fmt: off
ITEMS = ["衣服", "裤子", "鞋子", "外套", "裙子", "卫衣", "羽绒服", "耳机", "杯子", "充电宝", "台灯", "锅", "床单",
         "枕头", "手机壳", "口红", "面霜", "零食", "茶叶", "书", "玩具", "背包", "箱子", "手表", "键盘"]
ITEMS_EN = ["shoes", "jacket", "dress", "headphones", "mug", "charger", "lamp", "bag", "shirt", "toy"]
SIZES = ["S", "M", "L", "XL", "XXL", "36码", "37码", "38码", "39码", "40码", "41码", "42码", "43码", "160",
         "165", "170", "大一码", "小一码", "大号", "小号", "均码"]
COLORS = ["黑色", "白色", "灰色", "蓝色", "红色", "粉色", "米白", "酒红", "墨绿", "卡其色", "藏青", "浅蓝", "黑的",
          "白的", "black", "white", "blue"]
SPECS = ["256G", "128G", "16G", "500ml", "1L", "加长款", "宽口径", "新款", "大包装", "iPhone15"]
FLAVORS = ["原味", "海盐味", "麻辣味", "草莓味", "抹茶味"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "长沙", "郑州"]
DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "西湖区", "武侯区", "江汉区"]
NAMES = ["李雪梅", "王强", "张伟", "刘洋", "陈静", "赵敏"]
DAYS = ["两天", "三天", "一周", "5天", "好几天", "十天", "半个月", "3 days", "a week"]
OPENERS = ["", "", "", "", "亲 ", "在吗 ", "你好 ", "您好，", "客服 ", "喂 ", "老板 ", "请问 ", "hi ", "麻烦问下 ",
           "亲，", "那个 ", "我想问下 ", "唉 "]
CLOSERS = ["", "", "", "", " 谢谢", "，谢谢", " 急", "！！", "？", "??", " 😭", " 🙏", " 快点", " 麻烦了", "。",
           " 在线等",
           " 💢", " 谢谢亲"]
# What buyers say before the request: what they bought and when. It names no request, so a message that
# starts this way is read by what follows (real messages that mention 买/下单/付款 are not order questions).
CONTEXTS = ["我在你们家买了{item} ", "昨天下的单，", "上周买的{item} ", "前几天拍的{item}，", "我之前在这买过 ",
            "双十一买的{item} ", "我买的那个{item} ", "帮家里人买的，", "订单{order} ", "用我妈账号买的 ",
            "这个{item} ", "{days}前买的 ", "刚收到 ", "I bought a {item_en} here, "]
CONTEXT_SHARE = 0.25
# Intents whose lines a context would change: "昨天下的单，你好" is not a greeting.
NO_CONTEXT = ("greeting",)
# fmt: on


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


# (prefix, digits after it): shapes the slot extractor knows, enough for the classifier's slot features.
_ORDER_SHAPES = [("1", 17), ("3", 18), ("2", 10), ("3", 11), ("6", 18), ("241118-", 15)]
_WAYBILL_SHAPES = [("SF1", 12), ("YT7", 12), ("JT0", 12), ("JDX0", 11), ("773", 12), ("75", 12), ("46", 13)]


def _number(rng: random.Random, shapes: list[tuple[str, int]]) -> str:
    prefix, length = rng.choice(shapes)
    return prefix + "".join(rng.choice("0123456789") for _ in range(length))


def _fillers(rng: random.Random) -> dict[str, str]:
    return {
        "order": _number(rng, _ORDER_SHAPES),
        "waybill": _number(rng, _WAYBILL_SHAPES),
        "courier": rng.choice(COURIER_NAMES[:22]),
        "tail": f"{rng.randint(0, 9999):04d}",
        "item": rng.choice(ITEMS),
        "item_en": rng.choice(ITEMS_EN),
        "size": rng.choice(SIZES),
        "color": rng.choice(COLORS),
        "spec": rng.choice(SPECS),
        "flavor": rng.choice(FLAVORS),
        "city": rng.choice(CITIES),
        "district": rng.choice(DISTRICTS),
        "district2": rng.choice(DISTRICTS),
        "name": rng.choice(NAMES),
        "days": rng.choice(DAYS),
        "num": str(rng.randint(1, 60)),
        "num2": str(rng.randint(1, 60)),
        "room": str(rng.randint(101, 2504)),
        "phone": "1" + "".join(rng.choice("0123456789") for _ in range(10)),
    }


def templates() -> Iterator[tuple[str, str]]:
    for intent in INTENTS:
        for line in (DATA_DIR / f"{intent}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                yield intent, line.strip()


def examples_by_template(seed: int = 13, shop: Sequence[tuple[str, str]] = ()) -> list[list[Example]]:
    """The renderings of each template line, kept together (for grouped cross-validation). `shop`: a shop's own
    labelled messages as (intent, template), rendered more often than ours: a few of them must outweigh the
    thousands of written lines they contradict."""
    rng = random.Random(seed)
    seen: set[str] = set()
    groups: list[list[Example]] = []
    written = [(intent, template, VARIANTS_PER_TEMPLATE) for intent, template in templates()]
    for intent, template, variants in [*written, *((i, t, SHOP_VARIANTS) for i, t in shop)]:
        group = []
        for variant in range(variants):
            text = _render(rng, template, plain=variant == 0, context=intent not in NO_CONTEXT)
            if text not in seen:
                seen.add(text)
                group.append(Example(text, intent))
        groups.append(group)
    return groups


def examples(seed: int = 13, shop: Sequence[tuple[str, str]] = ()) -> list[Example]:
    return [example for group in examples_by_template(seed, shop) for example in group]


def rendered(template: str, seed: int = 13) -> str:
    """One plain rendering of a template: a kept message with its numbers filled in again."""
    return _render(random.Random(seed), template, plain=True)


def _render(rng: random.Random, template: str, plain: bool, context: bool = False) -> str:
    if not plain and context and rng.random() < CONTEXT_SHARE:
        template = rng.choice(CONTEXTS) + template
    filled = re.sub(r"\{(\w+)\}", lambda m: _fillers(rng)[m.group(1)], template)
    if plain:
        return filled
    return f"{rng.choice(OPENERS)}{filled}{rng.choice(CLOSERS)}".strip()
