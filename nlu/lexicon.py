"""The shop's vocabulary: words jieba must keep whole, spellings customers really type, couriers."""

from __future__ import annotations

# fmt: off
DOMAIN_WORDS = (
    "顺丰", "顺丰速运", "中通", "中通快递", "圆通", "圆通速递", "韵达", "韵达快递", "申通", "申通快递", "极兔",
    "极兔速递", "京东快递", "京东物流", "邮政", "邮政快递", "德邦", "德邦快递", "菜鸟驿站", "丰巢", "快递柜",
    "淘宝", "天猫", "拼多多", "抖音", "京东", "小程序",
    "仅退款", "退货退款", "退款", "退货", "换货", "补发", "拦截", "保价", "补差价", "差价", "转人工", "人工客服",
    "催发货", "待发货", "已发货", "已签收", "派送中", "运单号", "快递单号", "订单号", "尾号", "后四位",
    "七天无理由", "无理由", "差评", "投诉", "12315", "消协", "撤单", "改地址", "收货地址", "收件人", "门牌号",
    "大一码", "小一码", "尺码", "码数", "颜色", "发错", "少发", "漏发", "错发", "破损", "质量问题", "没收到",
    "不要了", "不想要了", "拍错了", "出库", "揽收", "物流信息", "驿站",
)

# Typed pinyin initials and words, as whole ASCII words: "wl到哪了", "tk", "zrg".
ABBREVIATIONS = {
    "wl": "物流", "kd": "快递", "tk": "退款", "th": "退货", "fh": "发货", "kf": "客服", "rg": "人工",
    "zrg": "转人工", "dd": "订单", "dz": "地址", "qin": "亲", "yf": "运费", "cd": "催单",
    "tousu": "投诉", "huan": "换", "tui": "退", "wuliu": "物流", "kuaidi": "快递", "tuikuan": "退款",
    "tuihuo": "退货", "huanhuo": "换货", "fahuo": "发货", "quxiao": "取消", "dizhi": "地址", "rengong": "人工",
    "zhuanrengong": "转人工", "cui": "催", "qx": "取消", "jj": "加急", "kefu": "客服", "dingdan": "订单",
    "shouhou": "售后",
}

# Homophone slips of pinyin input methods, seen in real chats.
TYPOS = {
    "推货": "退货", "退贷": "退货", "退宽": "退款", "退欵": "退款", "快第": "快递", "块递": "快递", "快地": "快递",
    "人宫": "人工", "人公": "人工", "地止": "地址", "地扯": "地址", "定单": "订单", "丁单": "订单", "发贷": "发货",
    "换贷": "换货", "还货": "换货", "物留": "物流", "勿流": "物流", "取肖": "取消", "投塑": "投诉", "头诉": "投诉",
    "签手": "签收", "为什莫": "为什么", "肿么": "怎么", "咋还": "怎么还", "再吗": "在吗",
}

# fmt: on

_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return head + (_DIGITS[ones] if ones else "")


# "三十八码" → "38码": shoe and clothing sizes spoken in Chinese numerals.
CN_NUMBER_SIZES = {f"{_chinese_number(n)}码": f"{n}码" for n in range(50, 19, -1)}

# fmt: off
# Courier names as customers write them; the slot keeps the customer's own words.
COURIER_NAMES = (
    "顺丰速运", "顺丰快递", "顺丰", "中通快递", "中通", "圆通速递", "圆通快递", "圆通", "韵达快递", "韵达",
    "申通快递", "申通", "极兔速递", "极兔快递", "极兔", "京东快递", "京东物流", "邮政EMS", "中国邮政", "邮政快递",
    "邮政", "EMS", "德邦快递", "德邦物流", "德邦", "百世快递", "百世", "SF Express", "ZTO Express", "YTO Express",
    "J&T Express", "J&T", "China Post", "Yunda", "sf express",
)
# fmt: on

# Words that stand for the same thing in a request, one class per line. The classifier sees the class as well as
# the words, so a phrasing it never saw still shares something with the ones it did: "包裹卡在路上不动" and
# "快递怎么一直没更新" both carry parcel + where. A word may sit in two classes ("退" in 退款 and 退货).
CONCEPTS = {
    "parcel": "快递 物流 包裹 单号 运单 快件 件 货",
    "where": "到哪 在哪 哪里 哪儿 到了没 还没到 几天到 什么时候到 多久到 没动 不动 不更新",
    "ship": "发货 发出 寄出 出库 揽收 发走 发了 发啊 不发 没发",
    "urge": "快点 赶紧 尽快 催 急 着急 抓紧 赶快 速度",
    "return": "退货 退回 寄回 退了 不要了 退掉 退",
    "refund": "退款 退钱 钱 补偿 赔 差价 价保 返现 到账",
    "missing": "少了 漏发 少发 缺 没收到 丢了 丢件 少一 空包",
    "exchange": "换货 换一 换个 换成 调换 换",
    "size": "尺码 码 大了 小了 偏大 偏小 不合适 穿不了",
    "cancel": "取消 不买了 拍错 不想要 拦截 撤销 撤单 别发",
    "address": "地址 收货人 收件人 搬家 改到 改寄 门牌 小区 电话写错",
    "human": "人工 客服 真人 机器人 活人 人呢 经理 负责人",
    "anger": "投诉 差评 12315 举报 垃圾 骗子 黑心 曝光 工商 消协 态度 气死 无语 服了 坑 什么玩意 欺负",
    "damage": "坏 破 碎 裂 摔 凹 瘪 漏 脏 瑕疵 质量 假货 烂 变形 划痕 过期 发霉 异味 开线",
    "greet": "你好 在吗 亲 谢谢 好的 嗯 哈喽 早上好 晚安 辛苦",
    "presale": "有货 优惠券 发票 材质 尺码表 推荐 包邮 保修 活动 便宜 现货 几号发 多少钱 赠品 面料",
    "status": "付款 支付 待付款 状态 下单 拍了 买了",
}
