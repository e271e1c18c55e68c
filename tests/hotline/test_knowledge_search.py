"""Knowledge search: what operators find as they type — segmentation, pinyin and initials,
synonyms, typos, the article text, ranking; only published articles valid that day; the index
follows changes made here and in other processes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.hotline.knowledge import index, services
from tongban.hotline.knowledge.search import knowledge_search, plan, snippet
from tongban.hotline.knowledge.synonyms import alternatives, occurrences, variants
from tongban.hotline.models import Article

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

ARTICLES = {
    "fund": (
        "离职后怎样提取住房公积金",
        "职工离职后在本市无工作单位，住房公积金账户封存满六个月的，可以申请销户提取。"
        "携带居民身份证和银行卡到公积金管理中心办理，也可以在手机公积金办理。",
        "公积金提取、离职提取",
        "zjj",
    ),
    "fund_loan": (
        "住房公积金贷款额度",
        "缴存满十二个月的职工购买首套自住住房，可以申请住房公积金贷款。",
        "",
        "zjj",
    ),
    "medical": (
        "医疗保险异地就医备案",
        "参保人员异地长期居住或临时外出就医，可以通过国家医保服务平台备案，住院费用直接结算。",
        "",
        "zjj",
    ),
    "newborn": (
        "新生儿落户办理",
        "新生儿出生后一个月内，凭出生医学证明、父母双方的居民户口簿和结婚证，到派出所办理户口登记。",
        "上户口",
        "cgj",
    ),
    "social": (
        "社会保险关系转移接续",
        "参保人员跨省流动就业的，养老保险关系随同转移，缴费年限累计计算。",
        "",
        "cgj",
    ),
    "id_card": (
        "居民身份证丢失补办",
        "居民身份证丢失后，本人到户籍所在地或居住地派出所申请补领，可同时办理临时身份证。",
        "",
        "cgj",
    ),
    "light": (
        "路灯损坏报修",
        "城市道路照明设施损坏的，由城市管理局组织维修，一般在三个工作日内修复。",
        "路灯不亮",
        "cgj",
    ),
    "noise": (
        "社会生活噪声投诉",
        "广场舞、商业经营等产生的社会生活噪声影响居民休息的，可以向生态环境部门或公安机关反映。",
        "",
        "cgj",
    ),
}


def publish(actor=None, *, title, content, keywords="", department="zjj", **more) -> Article:
    article = services.article_create(
        actor=actor,
        title=title,
        content=content,
        keywords=keywords,
        department_code=department,
        submit=True,
        **more,
    )
    return services.article_review(article.pk, actor=None, publish=True)


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0  # look at the table before every search
    index.reset()
    yield
    index.reset()


@pytest.fixture
def kb(world):
    return {
        key: publish(title=t, content=c, keywords=k, department=d)
        for key, (t, c, k, d) in ARTICLES.items()
    }


def titles(hits) -> list[str]:
    return [h.title for h in hits]


def first(query: str, **kwargs):
    hits = knowledge_search(query, **kwargs)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


# ---------------------------------------------------------------- what is found


def test_a_hit_names_title_snippet_subject_department_validity_and_score(kb, world):
    hit = first("离职后怎样提取住房公积金")
    assert (hit.id, hit.title, hit.department, hit.valid_until, hit.field, hit.how) == (
        kb["fund"].pk,
        "离职后怎样提取住房公积金",
        "云溪区住房和城乡建设局",
        None,
        "name",
        "exact",
    )
    assert hit.score == 1040.0
    assert hit.snippet.startswith("职工离职后")


@pytest.mark.parametrize(
    ("query", "key", "field"),
    [
        ("公积金提取", "fund", "alias"),  # a keyword, exactly
        ("提取公积金", "fund", "name"),  # the title's words, apart and in another order
        ("公积金 离职", "fund", "name"),
        ("新生儿落户", "newborn", "name"),  # a title's beginning
        ("落户", "newborn", "name"),  # a title's middle
        ("封存满六个月", "fund", "content"),  # only in the article text
        ("出生医学证明", "newborn", "content"),
    ],
)
def test_segmentation_titles_keywords_and_text(kb, query, key, field):
    hit = first(query)
    assert (hit.id, hit.field) == (kb[key].pk, field)


@pytest.mark.parametrize(
    ("query", "key", "how"),
    [
        ("gongjijin", "fund_loan", "pinyin_contains"),  # from a later syllable
        ("zhufanggongjijin", "fund_loan", "pinyin_prefix"),
        ("xinshenger", "newborn", "pinyin_prefix"),
        ("xselh", "newborn", "initials_prefix"),
        ("xselhbl", "newborn", "initials_exact"),
        ("lu deng", "light", "pinyin_prefix"),
        ("ZHUFANG", "fund_loan", "pinyin_prefix"),
    ],
)
def test_full_pinyin_and_initials(kb, query, key, how):
    hits = knowledge_search(query)
    assert next(h for h in hits if h.id == kb[key].pk).how == how


def test_pinyin_starts_at_a_syllable(kb):
    assert knowledge_search("hufang") == []  # inside "zhufang"
    assert kb["fund"].pk in [h.id for h in knowledge_search("gongjijin")]  # a later syllable


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("医保异地就医", "medical"),  # 医保 = 医疗保险
        ("医保备案", "medical"),
        ("社保转移", "social"),  # 社保 = 社会保险
        ("身份证补办", "id_card"),  # 身份证 = 居民身份证
        ("公积金贷款", "fund_loan"),  # 公积金 = 住房公积金
        ("户籍登记 新生儿", "newborn"),  # 户籍 = 户口
        ("婴儿落户", "newborn"),
    ],
)
def test_synonyms(kb, query, key):
    assert first(query).id == kb[key].pk


def test_the_words_as_typed_rank_above_a_synonym():
    plan_ = plan("医保备案")
    assert plan_.names[0] == ("医保备案", 0.0)
    assert ("医疗保险备案", 8.0) in plan_.names


@pytest.mark.parametrize(
    ("query", "how"),
    [
        ("新生儿落护办理", "homophone"),  # 护 for 户: the same sound
        ("新生儿落户办", "prefix"),
        ("新生儿落户小理", "fuzzy"),  # one wrong character
        ("新生儿落户力理", "fuzzy"),  # another wrong one
        ("新生落户办理", "words"),  # one missing, and still every word of the title
    ],
)
def test_typos(kb, query, how):
    hit = first(query)
    assert (hit.id, hit.how) == (kb["newborn"].pk, how)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("我辞职了想把公积金取出来要带什么", "fund"),
        ("孩子刚出生想问一下上户口需要什么材料", "newborn"),
        ("小区门口的路灯坏了好几天晚上黑乎乎的", "light"),
        ("楼下广场舞每天晚上特别吵", "noise"),
    ],
)
def test_a_callers_whole_sentence(kb, query, key):
    assert first(query).id == kb[key].pk


@pytest.mark.parametrize(
    "text",
    [
        "学府路积水严重",
        "学府路口积水",
        "下雨后学府路积水很深",
        "学府路积水很深，行人过不去。",
        "学府路积水严重 学府路与望湖路交叉口下雨后道路积水很深，行人无法通行，请尽快处理。",
        "望湖社区门口的路上一下雨就淹了",  # no keyword: the subject's words in the article text
    ],
)
def test_what_the_operator_types_at_intake_finds_the_article(kb, world, text):
    """Place names are in no article: the keyword (积水) or subject (道路积水) mentioned counts."""
    ponding = publish(
        title="道路积水的处置部门和时限",
        content="城市道路积水由区城市管理局负责抽排，下雨后一般在两小时内处置完毕。路面被淹的可拨打12345。",
        keywords="积水,内涝",
        department="cgj",
        subject_code="03.02.05",
    )
    assert first(text).id == ponding.pk


def test_ranking_title_then_keyword_then_text(kb, world):
    text_only = publish(
        title="住房租赁补贴申请",
        content="符合条件的职工也可以申请提取住房公积金支付房租。",
    )
    hits = knowledge_search("住房公积金")
    assert [h.id for h in hits][:3] == [kb["fund_loan"].pk, kb["fund"].pk, text_only.pk]
    assert [(h.field, h.how) for h in hits][:3] == [
        ("name", "prefix"),
        ("name", "contains"),
        ("content", "all"),
    ]
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_limit_and_subject_filter(kb, world):
    assert len(knowledge_search("住房")) == 2
    assert len(knowledge_search("住房", limit=1)) == 1
    publish(
        title="停水通知查询",
        content="计划停水提前一天通知。",
        department="zjj",
    )
    water = Article.objects.get(title="停水通知查询")
    water.subject = world.water
    water.save()
    assert titles(knowledge_search("停水", subject_code="07")) == ["停水通知查询"]
    assert titles(knowledge_search("停水", subject_code="07.01.01")) == ["停水通知查询"]
    assert knowledge_search("停水", subject_code="03") == []


def test_the_snippet_shows_the_words_found(kb):
    hit = first("封存满六个月")
    assert "封存满六个月" in hit.snippet
    assert snippet("甲" * 200 + "封存" + "乙" * 200, ("封存",)).startswith("…")


@pytest.mark.parametrize(
    "query", ["", "   ", "？？！", "\x00\x01", "证" * 500, "%_'\";--", "😀", "a", "<script>"]
)
def test_odd_queries_answer_without_error(kb, query):
    assert isinstance(knowledge_search(query), list)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_text_is_a_valid_query(kb, text):
    hits = knowledge_search(text, limit=5)
    assert len(hits) <= 5


# ---------------------------------------------------------------- what is not found


def test_only_published_articles_are_found(operator, world):
    draft = services.article_create(
        actor=operator, title="路灯不亮怎么办", content="报修。", department_code="cgj"
    )
    pending = services.article_create(
        actor=operator, title="路灯维修进度", content="查询。", department_code="cgj", submit=True
    )
    gone = publish(title="路灯损坏报修", content="报修。", department="cgj")
    services.article_withdraw(gone.pk, actor=operator, reason="已合并")
    assert knowledge_search("路灯") == []
    services.article_review(pending.pk, actor=operator, publish=True)
    assert titles(knowledge_search("路灯")) == ["路灯维修进度"]
    assert draft.pk


def test_validity_hides_expired_and_future_articles(world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False):
        publish(
            title="春节期间公积金业务安排",
            content="春节假期暂停办理。",
            valid_until=dt.date(2026, 3, 10),
        )
        publish(title="公积金新政解读", content="四月一日起执行。", valid_from=dt.date(2026, 4, 1))
        assert titles(knowledge_search("公积金")) == ["春节期间公积金业务安排"]
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert titles(knowledge_search("公积金")) == ["春节期间公积金业务安排"]  # the last day
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert knowledge_search("公积金") == []  # expired overnight: no rebuild needed
    with time_machine.travel(dt.datetime(2026, 4, 1, 8, tzinfo=SHANGHAI), tick=False):
        assert titles(knowledge_search("公积金")) == ["公积金新政解读"]
    assert titles(knowledge_search("公积金", today=dt.date(2026, 3, 5))) == [
        "春节期间公积金业务安排"
    ]


# ---------------------------------------------------------------- a fresh index


def test_changes_are_seen_after_the_commit(operator, world, django_capture_on_commit_callbacks):
    article = publish(title="路灯损坏报修", content="报修。", department="cgj")
    assert titles(knowledge_search("路灯")) == ["路灯损坏报修"]  # the index is built now
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_update(
            article.pk,
            actor=operator,
            title="路灯和景观灯报修",
            content="报修。",
            department_code="cgj",
        )
    assert index.invalidate in callbacks
    assert knowledge_search("路灯") == []  # back in review
    services.article_review(article.pk, actor=operator, publish=True)
    assert titles(knowledge_search("路灯")) == ["路灯和景观灯报修"]
    snap = index.current()
    assert snap.delta is not None and snap.base.docs[0].pk == article.pk  # changed: in the delta
    assert snap.size == 1


def test_other_processes_changes_are_seen_within_the_refresh_interval(world, settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 3600
    assert knowledge_search("路灯") == []  # built, and not looked at again for an hour
    publish(title="路灯损坏报修", content="报修。", department="cgj")  # on_commit never runs here
    assert knowledge_search("路灯") == []
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    assert titles(knowledge_search("路灯")) == ["路灯损坏报修"]


def test_a_deleted_row_rebuilds_the_index(kb):
    assert knowledge_search("路灯")
    Article.objects.filter(pk=kb["light"].pk).delete()  # outside the services
    assert knowledge_search("路灯损坏") == []
    assert index.current().size == len(ARTICLES) - 1


def test_the_delta_grows_until_the_base_is_rebuilt(world, monkeypatch):
    for i in range(3):
        publish(title=f"公积金问答{i}", content="问答。")
    base = index.current().base
    new = publish(title="公积金问答3", content="问答。")
    snap = index.current()
    # The base stays; what changed in the last minutes (MARGIN) is indexed again in the delta.
    assert snap.base is base and new.pk in snap.delta.position and snap.size == 4
    monkeypatch.setattr(index, "MARGIN", dt.timedelta(days=3650))
    monkeypatch.setattr(index, "_refresh", lambda snap, fp: index.build(fp))
    publish(title="公积金问答4", content="问答。")
    assert index.current().base is not base
    assert len(knowledge_search("公积金问答")) == 5


# ---------------------------------------------------------------- the synonym table


def test_synonym_variants_replace_the_longest_word_first():
    assert variants("公积金提取") == ["住房公积金提取"]
    assert variants("住房公积金提取") == ["公积金提取"]
    assert occurrences("社保卡补办") == [(0, 3, "社保卡")]
    assert "医疗保险异地社会保险" in variants("医保异地社保")
    assert variants("路灯") == []
    assert alternatives("没水") == ("没水", "停水")
