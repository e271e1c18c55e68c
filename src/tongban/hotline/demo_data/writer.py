"""Writes one demo ticket's words: where (an address the platform resolves to the right
community, or one it cannot place), who called (a fictional name and a valid-looking number) and
what they said (a variant of the leaf's texts with its slots filled).

Everything comes from the ``random.Random`` it is given, so a seed gives the same ticket again.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from tongban.core.demo import STREETS

from . import places
from .texts_city import TEXTS as CITY_TEXTS
from .texts_public import TEXTS as PUBLIC_TEXTS
from .texts_social import TEXTS as SOCIAL_TEXTS

TEXTS = {**CITY_TEXTS, **SOCIAL_TEXTS, **PUBLIC_TEXTS}

# Request type slug ↔ the one-letter code the data files use.
TYPE_LETTERS = {
    "consultation": "咨",
    "help": "求",
    "complaint": "投",
    "report": "举",
    "suggestion": "建",
    "praise": "表",
}
LETTER_TYPES = {v: k for k, v in TYPE_LETTERS.items()}

# community code → (community name, street code, street name)
COMMUNITY_OF: dict[str, tuple[str, str, str]] = {}
for _street_code, _street_name, _names in STREETS:
    _first = 1 if _street_code[6] == "0" else 200
    for _i, _name in enumerate(_names):
        COMMUNITY_OF[f"{_street_code}{_first + _i:03d}"] = (_name, _street_code, _street_name)
STREET_NAMES = {code: name for code, name, _c in STREETS}
COMMUNITIES_OF_STREET = {
    code: [c for c, (_n, s, _sn) in COMMUNITY_OF.items() if s == code] for code, _n, _c in STREETS
}

WHEN = ["最近一周", "这几天", "近半个月", "从上个月开始", "连续三天", "这一个多月", "近两周"]
NIGHT = ["晚上十点以后", "凌晨一两点", "深夜十二点左右", "每天晚上十一点多", "凌晨三点"]
AGO = ["昨天", "前天", "三天前", "上周五", "上周三", "本周一", "前几天", "上周六"]
MONTHS = ["两个月", "三个月", "四个月", "半年"]
CN_DIGITS = "零一二三四五六七八九"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def seeded(seed) -> random.Random:
    """The demo's random generator (demo data, not secrets)."""
    return random.Random(seed)  # noqa: S311


def parse_mix(mix: str) -> list[tuple[str, int]]:
    """``"投6求3咨1"`` → [("complaint", 6), ("help", 3), ("consultation", 1)]."""
    out = []
    letter = ""
    digits = ""
    for ch in mix + "|":
        if ch.isdigit():
            digits += ch
            continue
        if letter:
            out.append((LETTER_TYPES[letter], int(digits or "1")))
        letter, digits = (ch, "") if ch != "|" else ("", "")
    return out


@dataclass
class Place:
    address: str  # what goes in the ticket's address field
    community: str | None  # the community code it resolves to (None: street only or none)
    street: str | None  # the street code it resolves to (None: unresolvable)
    slots: dict[str, str]


class Slots(dict):
    """Slot values, made on first use and then kept (title and content agree)."""

    def __init__(self, rng: random.Random, community: str | None, street: str | None):
        super().__init__()
        self.rng = rng
        self.community_code = community
        self.street_code = street
        # The community whose roads and estates the words name (the address's, or one of its
        # street's, or any for an address no one can place).
        if community is not None:
            self.words_code = community
        elif street is not None:
            self.words_code = rng.choice(COMMUNITIES_OF_STREET[street])
        else:
            self.words_code = rng.choice(sorted(places.COMMUNITIES))

    def _local(self, index: int) -> list[str]:
        return places.COMMUNITIES[self.words_code][index]

    def __missing__(self, key: str) -> str:
        rng = self.rng
        value: str
        if key == "road":
            value = rng.choice(self._local(0))
        elif key == "road2":
            roads = [r for r in self._local(0) if r != self["road"]]
            value = rng.choice(roads or ["环城北路"])
        elif key == "estate":
            value = rng.choice(self._local(1))
        elif key == "landmark":
            value = rng.choice(self._local(2))
        elif key == "num":
            value = str(rng.randint(1, 260))
        elif key == "bldg":
            value = f"{rng.randint(1, 24)}幢"
        elif key == "room":
            value = f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        elif key == "place":
            value = rng.choice(
                [
                    f"{self['road']}{self['num']}号附近",
                    f"{self['estate']}{self['bldg']}旁边",
                    f"{self['landmark']}附近",
                    f"{self['road']}与{self['road2']}交叉口",
                ]
            )
        elif key == "community":
            value = COMMUNITY_OF[self.words_code][0]
        elif key == "street":
            value = STREET_NAMES[COMMUNITY_OF[self.words_code][1]]
        elif key in ("shop", "company", "firm", "school", "hospital", "bus", "training"):
            pool = {
                "shop": places.SHOPS,
                "company": places.COMPANIES,
                "firm": places.PROPERTY_FIRMS,
                "school": places.SCHOOLS,
                "hospital": places.HOSPITALS,
                "bus": places.BUS_LINES,
                "training": places.TRAINING,
            }[key]
            value = rng.choice(pool)
        elif key == "plate":
            tail = "".join(rng.choice(string.digits + "DF") for _ in range(4))
            value = f"浙A·{rng.choice(PLATE_LETTERS)}{tail}"
        elif key == "when":
            value = rng.choice(WHEN)
        elif key == "night":
            value = rng.choice(NIGHT)
        elif key == "ago":
            value = rng.choice(AGO)
        elif key == "months":
            value = rng.choice(MONTHS)
        elif key == "n":  # a count before a measure word: 两个, 三年 …
            value = "两" if (digit := rng.randint(2, 9)) == 2 else CN_DIGITS[digit]
        elif key == "tens":  # 二十, 三十 …
            value = CN_DIGITS[rng.randint(2, 6)] + "十"
        elif key == "amount":
            value = f"{rng.randint(8, 96) * 500:,}元".replace(",", "")
        elif key == "worker":
            value = rng.choice(places.SURNAMES) + rng.choice(["师傅", "同志", "大姐", "医生"])
        else:
            raise KeyError(key)
        self[key] = value
        return value


def place(rng: random.Random, *, community: str | None, street: str | None) -> Place:
    """An address in ``community`` (or naming only ``street``; or neither: unresolvable)."""
    slots = Slots(rng, community, street)
    if community is not None:
        name, street_code, street_name = COMMUNITY_OF[community]
        style = rng.random()
        if style < 0.4:
            address = f"云溪区{street_name}{name}{slots['road']}{slots['num']}号"
        elif style < 0.75:
            address = f"{name}{slots['estate']}{slots['bldg']}"
        elif style < 0.9:
            address = f"{street_name}{name}{slots['landmark']}附近"
        else:
            address = f"{slots['road']}{slots['num']}号（{name}）"
        return Place(address, community, street_code, slots)
    if street is not None:
        address = f"{STREET_NAMES[street]}{slots['road']}{slots['num']}号"
        return Place(address, None, street, slots)
    spot = rng.choice(places.UNRESOLVABLE)
    slots["place"] = spot
    return Place(spot, None, None, slots)


def fill(text: str, slots: Slots) -> str:
    return text.format_map(slots)


def variants_for(leaf: str, ticket_type: str) -> list[tuple[str, str, str]]:
    letter = TYPE_LETTERS[ticket_type]
    return [v for v in TEXTS[leaf] if letter in v[0]]


def types_of(leaf: str, mix: str) -> list[tuple[str, int]]:
    """The leaf's weighted types that have a text written for them."""
    letters = "".join(v[0] for v in TEXTS[leaf])
    return [(t, w) for t, w in parse_mix(mix) if TYPE_LETTERS[t] in letters]


def words(rng: random.Random, leaf: str, ticket_type: str, slots: Slots) -> tuple[str, str]:
    """(title, content) for a ``ticket_type`` request under ``leaf``."""
    title, content = rng.choice(variants_for(leaf, ticket_type))[1:]
    return fill(title, slots)[:120], fill(content, slots)


# ------------------------------------------------------------------------------- callers


def phone(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return f"{places.LANDLINE_AREA}-8{rng.randint(0, 9_999_999):07d}"
    return rng.choice(places.MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def caller(rng: random.Random) -> tuple[str, str]:
    """(name as recorded, phone)."""
    surname = rng.choice(places.SURNAMES)
    if rng.random() < 0.3:
        name = surname + rng.choice(places.HONORIFICS)
    else:
        name = surname + rng.choice(places.GIVEN)
    return name, phone(rng)


def coordinates(rng: random.Random) -> tuple[str, str]:
    """A point in the (fictional) district, as decimal strings."""
    return f"{30.20 + rng.random() * 0.12:.6f}", f"{120.05 + rng.random() * 0.18:.6f}"
