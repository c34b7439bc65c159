"""Chinese one-line addresses cut into the receiver's parts: what exports print ("浙江省 杭州市 西湖区 文三路 90 号
(310000)") and what customers type when they move an order ("改到上海市浦东新区张江路 100 号")."""

from __future__ import annotations

import re
from dataclasses import replace

from oms_client.domain import Receiver

_POSTCODE = re.compile(r"[(（]\s*\d{6}\s*[)）]\s*$")
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
# The provinces and regions by the short names addresses use, with their full names.
_REGIONS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区",
            "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区", "澳门": "澳门特别行政区"}  # fmt: skip
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北",
              "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾")  # fmt: skip
PROVINCES = {name: name + "省" for name in _PROVINCES} | _REGIONS
_PROVINCE = re.compile(rf"^(.+?(?:省|自治区|特别行政区)|{'|'.join(MUNICIPALITIES)})(?:市)?")
_PHONE = re.compile(r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}")
# A name after the address: two to four Han characters that end in no place word.
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}(?<![省市区县镇乡村路街道号楼室巷弄园])")


def split_address(address: str) -> tuple[str, str, str, str]:
    """(province, city, district, rest); a part the text does not name is empty. Exports space the parts;
    customers write them run together, and may put spaces anywhere ("江南大道 588 号")."""
    text = _POSTCODE.sub("", address).strip()
    parts = text.split()
    if len(parts) >= 4 and _PROVINCE.fullmatch(parts[0]):
        return parts[0], parts[1], parts[2], "".join(parts[3:])
    return _split_unspaced("".join(parts))


def receiver(name: str, phone: str, address: str) -> Receiver:
    province, city, district, detail = split_address(address)
    return Receiver(name[:64], phone[:20], province[:32], city[:32], district[:32], detail[:200])


def moved(old: Receiver, address: str) -> Receiver:
    """The receiver at a new address: the parts the customer wrote replace the old ones from the first part
    they named down ("文三路 1 号" keeps the province, city and district; "杭州市…" keeps the province). A phone
    number and a name written after the address ("… 588 号 李四 13900001111") are not part of it: the
    receiver's name and phone stay (they are what proves the order in chat)."""
    new = split_address(_without_contact(address))
    first = next((i for i, part in enumerate(new) if part), 3)
    kept = (old.province, old.city, old.district, old.detail)[:first]
    if first == 1 and new[1] != old.city:
        kept = ("",)  # another city: its province is not the old one, and the customer did not say which
    province, city, district, detail = (*kept, *new[first:])
    return replace(old, province=province[:32], city=city[:32], district=district[:32], detail=detail[:200])


def _without_contact(text: str) -> str:
    words = _PHONE.sub(" ", text).split()
    while words and _NAME.fullmatch(words[-1]):
        words.pop()
    return " ".join(words)


def _split_unspaced(text: str) -> tuple[str, str, str, str]:
    """An address written without spaces: the province by its suffix, then city and district by theirs."""
    province = ""
    found = _PROVINCE.match(text)
    if found:
        province, text = found.group(0), text[found.end() :]
    else:
        province, text = _bare_province(text)
    if province.removesuffix("市") in MUNICIPALITIES:
        province = province.removesuffix("市") + "市"
        return province, province, *_cut(text, ("区", "县"))  # 上海市 上海市 浦东新区, as the platforms write them
    city, text = _cut(text, ("市", "自治州", "地区", "盟"))
    district, text = _cut(text, ("区", "县", "市", "旗"))
    return province, city, district, text


def _bare_province(text: str) -> tuple[str, str]:
    """A province written without its suffix, as JD writes them ("广东深圳市…"): taken only when a city follows,
    so a street named after a province ("吉林路 1 号") stays a street."""
    for bare, full in PROVINCES.items():
        rest = text.removeprefix(bare)
        if rest != text and _cut(rest, ("市", "自治州", "地区", "盟"))[0]:
            return full, rest
    return "", text


def _cut(text: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    ends = [text.find(suffix) + len(suffix) for suffix in suffixes if 0 < text.find(suffix) < 8]
    if not ends:
        return "", text
    end = min(ends)
    return text[:end], text[end:]
