"""Synonyms of the knowledge search: what callers say and what the articles call it.

Each group lists words that mean the same thing to a caller (医保 = 医疗保险); a query is also
looked for with each group member in place of another. ``CALLERS`` maps a caller's words to the
articles' words, for the words of the article text only. A query word is replaced where the
longest group member starting at that position matches, so "住房公积金提取" becomes
"公积金提取" and "公积金提取" becomes "住房公积金提取", never "住房住房公积金提取".
"""

from __future__ import annotations

from itertools import product

# fmt: off
GROUPS: tuple[tuple[str, ...], ...] = (
    ("医保", "医疗保险", "基本医疗保险"),
    ("公积金", "住房公积金"),
    ("社保", "社会保险"),
    ("社保卡", "社会保障卡"),
    ("身份证", "居民身份证"),
    ("户口", "户籍"),
    ("户口本", "户口簿", "居民户口簿"),
    ("养老金", "养老保险金", "退休金"),
    ("失业金", "失业保险金"),
    ("低保", "最低生活保障"),
    ("残疾证", "残疾人证"),
    ("驾照", "驾驶证", "机动车驾驶证"),
    ("房产证", "不动产证", "不动产权证书"),
    ("出生证", "出生医学证明"),
    ("居住证", "暂住证"),
    ("噪音", "噪声"),
    ("违建", "违章建筑", "违法建设"),
    ("停水", "断水"),
    ("停电", "断电"),
    ("电动车", "电动自行车"),
    ("车位", "停车位"),
    ("城管", "城市管理"),
    ("网约车", "网络预约出租汽车"),
    ("新生儿", "婴儿"),
)
# What callers say for what the articles say, one way only ("没水" is 停水, but an article about
# 停水 is not about every "没水").
CALLERS: dict[str, tuple[str, ...]] = {
    "没水": ("停水",),
    "没电": ("停电",),
    "没气": ("停气", "燃气"),
    "吵": ("噪声", "噪音"),
    "太吵": ("噪声", "噪音"),
    "辞职": ("离职",),
    "看病": ("就医",),
    "上户口": ("落户",),
    "报户口": ("落户",),
    "欠薪": ("拖欠", "工资"),
    "讨薪": ("拖欠", "工资"),
    "取出": ("提取",),
    "丢了": ("补办", "挂失"),
}
# fmt: on
MAX_VARIANTS = 4

_GROUP_OF: dict[str, tuple[str, ...]] = {word: group for group in GROUPS for word in group}
# First character → the group members starting with it, longest first.
_BY_FIRST: dict[str, list[str]] = {}
for _word in sorted(_GROUP_OF, key=len, reverse=True):
    _BY_FIRST.setdefault(_word[0], []).append(_word)


def alternatives(word: str) -> tuple[str, ...]:
    """The word, its synonyms and what the articles call it, the word first."""
    group = _GROUP_OF.get(word, (word,))
    return tuple(dict.fromkeys((word, *group, *CALLERS.get(word, ()))))


def occurrences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each synonym in ``text``, longest match first, left to right."""
    found, i = [], 0
    while i < len(text):
        word = next((w for w in _BY_FIRST.get(text[i], ()) if text.startswith(w, i)), None)
        if word is None:
            i += 1
        else:
            found.append((i, i + len(word), word))
            i += len(word)
    return found


def variants(text: str, *, limit: int = MAX_VARIANTS) -> list[str]:
    """Other ways of saying ``text``: one synonym replaced at a time first, then all of them."""
    places = occurrences(text)
    if not places:
        return []
    out: list[str] = []

    def add(candidate: str) -> None:
        if candidate != text and candidate not in out:
            out.append(candidate)

    for start, end, word in places:
        for other in alternatives(word)[1:]:
            add(text[:start] + other + text[end:])
    if len(places) > 1:
        choices = [alternatives(word) for _s, _e, word in places]
        for combination in product(*choices):
            pieces, last = [], 0
            for (start, end, _word), other in zip(places, combination, strict=True):
                pieces += [text[last:start], other]
                last = end
            add("".join(pieces) + text[last:])
            if len(out) >= limit * 2:
                break
    return out[:limit]


# Words a caller's sentence is full of that say nothing about the matter (left out when the
# article text is matched; the title matchers see the query as typed).
# fmt: off
FILLER = frozenset((
    "我", "我们", "我家", "俺", "你", "你们", "您", "他", "她", "他们", "它", "咱", "咱们", "自己", "人家", "这", "那",
    "这个", "那个", "这里", "那里", "这边", "那边", "这条", "那条", "这样", "那样", "就", "都", "也", "还", "又", "再",
    "才", "刚", "刚刚", "已经", "一直", "一下", "一", "个", "在", "从", "把", "被", "给", "跟", "和", "与", "及",
    "或", "或者", "对", "向", "往", "到", "让", "叫", "不", "没", "没有", "别", "很", "太", "特别", "非常", "好",
    "挺", "真", "总是", "老是", "经常", "一点", "有点", "有", "是", "会", "能", "可", "的", "地", "得", "了", "着",
    "过", "吗", "呢", "啊", "吧", "呀", "哦", "嗯", "哈", "啦", "么", "什么", "怎么", "为什么", "请问", "麻烦", "谢谢",
    "你好", "您好", "帮", "帮忙", "问", "想", "要", "说", "知道", "告诉", "情况", "问题", "事情", "时候", "后", "前",
    "里", "来", "去", "带", "能不能", "可不可以", "行不行",
))
# fmt: on
