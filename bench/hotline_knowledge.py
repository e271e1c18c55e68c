"""How fast the operator's knowledge search answers: ``knowledge_search()`` over 50,000 articles.

    .venv/bin/python bench/hotline_knowledge.py [--articles 50000] [--searches 2000]
    scripts/with-postgres.sh .venv/bin/python bench/hotline_knowledge.py      # on PostgreSQL

Standalone, it sets up Django itself (local settings, a throwaway data directory, SQLite unless
DATABASE_URL is set, migrations applied quietly). ``bench/hotline.py`` calls ``run()`` inside its
own set-up instead. Articles are written with bulk inserts (test data, not a service path): ~60
topics a hotline is asked about (公积金提取, 医保异地就医, 新生儿落户 …), each in many aspects
and local variants, 300–700 characters of content, keywords with the callers' words; 5% past
their validity (which the search must hide). Then one call at a time over a realistic mix of
what operators type while the caller talks: topic words, the words of a title, callers' words
for the official ones (synonyms), full pinyin and initials, a typo, half-typed words (the search
runs as they type), a question in plain words, a phrase from an article's body, and a caller's
whole sentence. Prints p50/p90/p99 per kind, the index build time and memory, and the share of
queries whose topic is among the first 10 hits; the target is p50 ≤ 20 ms; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

P50_TARGET_MS = 20.0
BATCH = 2000
MARK = "bench-knowledge"  # the generated articles' item_code: a second run reuses them

# topic: (department code, callers' words (keywords), facts used in the body)
# fmt: off
TOPICS = {
    "住房公积金提取": ("zjj", "公积金提取、取公积金、公积金怎么取", "离职后封存满六个月 购买自住住房 偿还住房贷款 支付房租 退休销户"),
    "住房公积金贷款": ("zjj", "公积金贷款、公积金买房", "首套住房 贷款额度 缴存满十二个月 商业贷款转公积金贷款"),
    "医疗保险异地就医备案": ("ylbzj", "医保异地、异地看病、医保备案", "国家医保服务平台 异地安置退休人员 临时外出就医 直接结算"),
    "医疗保险报销": ("ylbzj", "医保报销、看病报销", "门诊费用 住院费用 起付标准 报销比例 医保目录"),
    "门诊慢特病认定": ("ylbzj", "慢性病、特殊病种", "高血压 糖尿病 认定材料 定点医疗机构"),
    "新生儿落户": ("gaj", "上户口、小孩落户、宝宝户口", "出生医学证明 父母户口簿 结婚证 一个月内 派出所户籍窗口"),
    "户口迁移": ("gaj", "迁户口、户籍迁移", "准迁证 迁移证 投靠落户 购房落户 人才落户"),
    "居民身份证补办": ("gaj", "身份证丢了、补办身份证、身份证挂失", "临时身份证 异地办理 挂失申报 制证时间"),
    "居住证办理": ("gaj", "办居住证、暂住证", "居住登记满半年 合法稳定住所 合法稳定就业 签注"),
    "出入境证件办理": ("gaj", "护照、港澳通行证、签注", "出入境管理大队 预约 照片回执 加急办理"),
    "社会保险关系转移": ("rsj", "社保转移、社保转到外地", "转移接续 参保缴费凭证 转出地 转入地 养老保险关系"),
    "养老保险待遇领取": ("rsj", "养老金、退休金怎么领", "达到法定退休年龄 累计缴费满十五年 退休审批 待遇核定"),
    "失业保险金申领": ("rsj", "失业金、失业补助", "非本人意愿中断就业 缴费满一年 失业登记 领取期限"),
    "工伤认定": ("rsj", "工伤、上班受伤", "三十日内报告 职业病 劳动能力鉴定 工伤保险待遇"),
    "劳动合同纠纷": ("rsj", "拖欠工资、不签合同、辞退赔偿", "劳动仲裁 经济补偿 劳动保障监察 一年时效"),
    "农民工工资拖欠": ("rsj", "讨薪、欠薪、工资不发", "劳动保障监察大队 工资支付保障金 实名制 总包单位"),
    "职业技能培训补贴": ("rsj", "技能补贴、培训补贴", "职业资格证书 职业技能等级证书 补贴标准 申领期限"),
    "灵活就业人员参保": ("rsj", "自由职业交社保、个人交社保", "灵活就业登记 缴费基数 按月缴纳"),
    "最低生活保障申请": ("mzj", "低保、困难补助", "家庭人均收入 低于保障标准 家庭财产 入户调查 公示"),
    "高龄津贴申领": ("mzj", "高龄补贴、老人补贴", "八十周岁以上 户籍 按月发放 社保卡"),
    "老年人优待证办理": ("mzj", "老年证、敬老卡", "六十周岁以上 免费乘坐公交 景区优惠"),
    "结婚登记": ("mzj", "领结婚证、登记结婚", "婚姻登记处 预约 双方户口簿 身份证 无配偶声明"),
    "残疾人证办理": ("cjrlh", "残疾证、办残疾证", "残疾评定 指定医院 评残 两寸照片"),
    "殡葬服务": ("mzj", "丧葬补助、殡仪馆", "火化 公墓 惠民殡葬 丧葬补助金"),
    "不动产登记": ("zrzyj", "房产证、过户、办房产证", "不动产权证书 交易过户 一窗受理 登记费"),
    "房屋租赁备案": ("zjj", "租房备案、租赁合同备案", "租赁合同 出租人 承租人 居住证"),
    "公共租赁住房申请": ("zjj", "公租房、廉租房", "住房困难 收入限额 轮候 租金补贴"),
    "老旧小区加装电梯": ("zjj", "加装电梯、装电梯", "业主同意 三分之二 规划公示 财政补助"),
    "物业服务纠纷": ("zjj", "物业不管、物业费、物业公司", "业主委员会 物业服务合同 物业管理条例 街道调解"),
    "燃气报修和安全": ("zjj", "燃气泄漏、煤气、天然气报修", "燃气公司抢修 关闭阀门 开窗通风 报警器"),
    "停水查询和报修": ("swj", "停水、断水、没水了、水压低", "供水公司 计划停水 管网抢修 水质"),
    "停电查询和报修": ("gdgs", "停电、断电、没电了", "供电公司 计划停电 故障报修 95598"),
    "道路积水": ("cgj", "积水、内涝、下雨路淹了", "排水管网 雨水口 泵站 城管排水"),
    "路灯损坏": ("cgj", "路灯不亮、路灯坏了", "城市照明 维修时限 报修"),
    "违法建设举报": ("cgj", "违建、违章建筑、私搭乱建", "执法队 现场核查 限期拆除 规划许可"),
    "噪声扰民投诉": ("sthjj", "噪音、噪声、广场舞、装修噪音", "夜间施工 社会生活噪声 公安 生态环境 分贝"),
    "垃圾分类和清运": ("cgj", "垃圾没人收、垃圾分类", "厨余垃圾 可回收物 有害垃圾 清运时间"),
    "犬只登记和管理": ("gaj", "养狗登记、狗证、遛狗", "犬只免疫 登记证 文明养犬 大型犬"),
    "电动自行车充电和上牌": ("gaj", "电动车上牌、电动车充电", "飞线充电 楼道停放 集中充电 登记上牌"),
    "机动车驾驶证换证": ("gaj", "驾照换证、驾照到期", "有效期满 九十日内 体检证明 交管12123"),
    "网约车投诉": ("jtj", "网约车、打车投诉", "网络预约出租汽车 平台 运价 绕路"),
    "公交线路和站点": ("jtj", "公交车、公交站", "线路调整 首末班 站点设置 公交卡"),
    "义务教育入学": ("jyj", "上学、小学报名、入学", "学区划分 户籍 房产 积分入学 报名时间"),
    "幼儿园报名": ("jyj", "幼儿园、入园", "适龄儿童 公办园 普惠园 报名材料"),
    "学生资助": ("jyj", "助学金、助学贷款", "家庭经济困难 国家助学金 生源地信用助学贷款"),
    "教师资格认定": ("jyj", "教资认定、教师证", "普通话等级证书 体检 笔试面试合格"),
    "食品经营许可": ("scjg", "食品许可证、开饭店", "经营场所 设备布局 从业人员健康证明"),
    "个体工商户登记": ("scjg", "个体户、开店、营业执照", "经营者身份证 经营场所 名称登记 一照多址"),
    "消费者权益投诉": ("scjg", "消费投诉、退货、商家欺诈", "十二三一五 七日无理由退货 价格欺诈 调解"),
    "食品安全举报": ("scjg", "食品问题、吃坏肚子、过期食品", "过期食品 无证经营 抽检 奖励"),
    "医疗纠纷": ("wjw", "医院投诉、医患纠纷", "医疗事故 病历复印 调解委员会 鉴定"),
    "预防接种": ("wjw", "打疫苗、疫苗接种", "预防接种证 接种门诊 免疫规划"),
    "生育登记和生育津贴": ("rsj", "生育津贴、生孩子报销", "生育保险 产假 津贴标准 登记服务"),
    "个人所得税汇算": ("swj2", "个税、退税", "年度汇算 专项附加扣除 个人所得税APP"),
    "发票申领": ("swj2", "领发票、开发票", "电子发票 税务登记 票种核定"),
    "人才补贴": ("rcb", "人才房、人才补助", "高校毕业生 租房补贴 生活补贴 申请期限"),
    "创业担保贷款": ("rsj", "创业贷款、贴息贷款", "担保 贴息 额度 创业者"),
    "退役军人优待": ("tyjr", "退伍军人、优待证", "优待证 抚恤 安置 就业"),
    "农村宅基地": ("nyj", "宅基地、农村建房", "一户一宅 审批 村民委员会"),
    "防汛和避险": ("yjj", "台风、暴雨、避难场所", "转移安置 应急避难场所 预警"),
}
ASPECTS = ["办理条件", "所需材料", "办理流程", "线上办理指南", "办理地点和时间", "常见问题解答",
           "政策解读", "收费标准", "办理时限", "注意事项", "咨询与投诉渠道", "特殊情形处理"]
PLACES = ["", "（云溪区）", "（东湖街道）", "（望湖社区）", "（湖滨街道）", "（新城片区）", "（老城片区）",
          "（2024年版）", "（2025年版）", "（2026年版）", "（外地户籍）", "（本地户籍）", "（老年人）",
          "（残疾人）", "（企业职工）", "（灵活就业人员）", "（学生）", "（退休人员）"]
GENERIC = [
    "群众可通过12345热线、政务服务网或“通办”小程序查询办理进度。",
    "材料不全的，窗口一次性告知需要补正的全部内容。",
    "对办理结果不满意的，可以拨打监督投诉电话反映。",
    "办理时请携带原件，复印件由窗口留存。",
    "符合条件的可以由他人代办，代办人需携带本人身份证和授权委托书。",
    "节假日期间窗口不对外办公，线上渠道照常受理。",
    "具体以最新政策文件为准，政策调整时本条目同步更新。",
    "涉及多个部门的，由政务服务中心综合窗口统一受理。",
    "老年人、残疾人等特殊群体可以预约上门服务。",
]
CALLER_SENTENCES = {
    "道路积水": "我家门口那条路一下雨就积水好深车都过不去",
    "路灯损坏": "小区门口的路灯坏了好几天晚上黑乎乎的",
    "噪声扰民投诉": "楼下广场舞每天晚上十点还在跳音响特别吵",
    "停水查询和报修": "我们小区从早上开始就没水了也没通知",
    "住房公积金提取": "我辞职了想把公积金取出来要带什么",
    "新生儿落户": "孩子刚出生想问一下上户口需要什么材料",
    "医疗保险异地就医备案": "我爸退休后住在外地看病医保能不能报",
    "农民工工资拖欠": "老板拖欠我们三个月工资不给怎么办",
}
# fmt: on


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.local"
    os.environ.setdefault("TONGBAN_DATA_DIR", data_dir)
    os.environ.setdefault("TONGBAN_DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------- the generated articles


def _departments() -> list:
    from stdnum.cn import uscc

    from tongban.core.models import Department, Region
    from tongban.core.services import department_create, region_create

    existing = list(Department.objects.filter(is_active=True))
    if existing:
        return existing
    region = Region.objects.filter(level="district").first() or region_create(
        code="330199", name="云溪区"
    )
    out = []
    codes = sorted({dept for dept, _k, _f in TOPICS.values()})
    for n, code in enumerate(codes, start=1):
        body = f"11330199{n:09d}"
        out.append(
            department_create(
                code=code,
                name=f"云溪区{code}",
                region=region,
                credit_code=body + uscc.calc_check_digit(body + "0"),
            )
        )
    return out


def _body(rng: random.Random, topic: str, aspect: str, facts: list[str]) -> str:
    picked = rng.sample(facts, k=min(len(facts), rng.randint(2, len(facts))))
    sentences = [f"关于{topic}的{aspect}：{'、'.join(picked)}等情形按以下规定办理。"]
    for fact in picked:
        sentences.append(
            rng.choice(
                [
                    f"{fact}的，应当向受理窗口提交申请，经审核符合条件的予以办理。",
                    f"属于{fact}情形的，按照现行政策执行，具体标准可咨询经办机构。",
                    f"对于{fact}，群众可先在网上预约，再携带相关材料到现场办理。",
                    f"{fact}相关问题，经办机构将在规定时限内答复。",
                ]
            )
        )
    sentences += rng.sample(GENERIC, k=rng.randint(3, 6))
    sentences.append(
        f"依据：《{topic[:6]}管理办法》（云政办发〔{rng.randint(2019, 2026)}〕{rng.randint(1, 99)}号）。"
    )
    return "".join(sentences)


def build_articles(rng: random.Random, n: int) -> list[tuple[int, str]]:
    """``n`` published articles (bulk); returns (article id, topic) of every generated one."""
    import datetime as dt

    from tongban.hotline.models import Article, ArticleSource, ArticleState, Subject

    have = list(Article.objects.filter(item_code=MARK).values_list("pk", "title", "keywords"))
    if len(have) >= n:
        return [(pk, _topic_of(title)) for pk, title, _k in have[:n]]
    departments = {d.code: d for d in _departments()}
    fallback = list(departments.values())
    subjects = list(Subject.objects.filter(level=3, active=True).values_list("pk", "name"))
    today = dt.date.today()
    combos = [(t, a, p) for t in TOPICS for a in ASPECTS for p in PLACES]
    rng.shuffle(combos)
    rows, made = [], 0
    for i in range(n - len(have)):
        topic, aspect, place = combos[i % len(combos)]
        dept_code, keywords, facts = TOPICS[topic]
        suffix = "" if i < len(combos) else f"（{i // len(combos) + 1}）"
        expired = rng.random() < 0.05
        subject = next((pk for pk, name in subjects if name in topic or topic in name), None)
        rows.append(
            Article(
                title=f"{topic}{aspect}{place}{suffix}"[:200],
                content=_body(rng, topic, aspect, facts.split()),
                keywords=keywords,
                item_code=MARK,
                department=departments.get(dept_code) or rng.choice(fallback),
                subject_id=subject,
                valid_from=today - dt.timedelta(days=rng.randint(30, 900)),
                valid_until=today - dt.timedelta(days=rng.randint(1, 60))
                if expired
                else (
                    today + dt.timedelta(days=rng.randint(30, 900)) if rng.random() < 0.3 else None
                ),
                state=ArticleState.PUBLISHED,
                source=ArticleSource.MANUAL,
            )
        )
        if len(rows) >= BATCH:
            Article.objects.bulk_create(rows)
            made += len(rows)
            rows = []
    if rows:
        Article.objects.bulk_create(rows)
    have = list(Article.objects.filter(item_code=MARK).values_list("pk", "title", "keywords"))
    return [(pk, _topic_of(title)) for pk, title, _k in have[:n]]


def _topic_of(title: str) -> str:
    return next((t for t in TOPICS if title.startswith(t)), "")


# ---------------------------------------------------------------- the queries


def _typo(rng: random.Random, text: str) -> str:
    homophones = {"金": "今", "公": "工", "医": "衣", "保": "宝", "户": "护", "证": "正", "登": "灯",
                  "记": "纪", "报": "抱", "停": "亭", "路": "露", "助": "住", "贴": "帖"}  # fmt: skip
    spots = [i for i, ch in enumerate(text) if ch in homophones]
    if not spots:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1 :]  # one missing character
    i = rng.choice(spots)
    return text[:i] + homophones[text[i]] + text[i + 1 :]


def queries(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(kind, query, topic) in a realistic mix."""
    from tongban.catalog.search.engine import syllables
    from tongban.hotline.knowledge.synonyms import variants

    topics = list(TOPICS)
    out = []
    kinds = [
        ("topic", 18), ("title", 10), ("synonym", 14), ("pinyin", 6), ("initials", 4),
        ("typo", 8), ("typing", 12), ("question", 12), ("phrase", 8), ("sentence", 8),
    ]  # fmt: skip
    weights = [w for _k, w in kinds]
    for _ in range(count):
        kind = rng.choices([k for k, _w in kinds], weights)[0]
        topic = rng.choice(topics)
        _dept, keywords, facts = TOPICS[topic]
        callers = [k for k in keywords.split("、") if k]
        if kind == "topic":
            q = topic
        elif kind == "title":
            q = f"{topic}{rng.choice(ASPECTS)}"
        elif kind == "synonym":
            alts = variants(topic) + callers
            q = rng.choice(alts) if alts else topic
        elif kind == "pinyin":
            q = "".join(syllables(topic[:4], cache=False))
        elif kind == "initials":
            q = "".join(s[0] for s in syllables(topic[:4], cache=False))
        elif kind == "typo":
            q = _typo(rng, topic)
        elif kind == "typing":
            q = topic[: rng.randint(2, max(2, len(topic) - 1))]
        elif kind == "question":
            q = rng.choice(callers or [topic]) + rng.choice(
                ["怎么办", "怎么办理", "需要什么材料", "在哪里办", "要多久"]
            )
        elif kind == "phrase":
            q = rng.choice(facts.split())
        else:
            topic = rng.choice(list(CALLER_SENTENCES))
            q = CALLER_SENTENCES[topic]
        out.append((kind, q, topic))
    return out


# ---------------------------------------------------------------- measuring


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(p * len(sorted_ms)))]


def _figures(wall: list[float]) -> dict:
    wall = sorted(wall)
    return {
        "n": len(wall),
        "p50_ms": round(statistics.median(wall), 2),
        "p90_ms": round(percentile(wall, 0.9), 2),
        "p99_ms": round(percentile(wall, 0.99), 2),
        "max_ms": round(wall[-1], 2),
    }


def run(n_articles: int = 50_000, *, searches: int = 2_000, seed: int = 20260601) -> dict:
    """Generate (or reuse) ``n_articles`` articles in the configured database, build the index,
    time ``searches`` knowledge searches; returns the figures and prints them."""
    from tongban.hotline.knowledge.index import reset, warm
    from tongban.hotline.knowledge.search import knowledge_search

    rng = random.Random(seed)
    started = time.perf_counter()
    generated = build_articles(rng, n_articles)
    generated_s = time.perf_counter() - started
    reset()
    rss_before = _rss_mb()
    snap = warm()
    rss_after = _rss_mb()
    mix = queries(rng, searches)
    for _kind, q, _t in mix[:100]:  # warm-up
        knowledge_search(q)
    timings, found = [], []
    for _kind, q, topic in mix:
        wall, cpu = time.perf_counter(), time.thread_time()
        hits = knowledge_search(q, limit=10)
        timings.append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))
        found.append(any(h.title.startswith(topic) for h in hits) if topic else False)
    overall = _figures([w for w, _c in timings])
    result = {
        "articles": snap.size,
        "generated": len(generated),
        "generate_seconds": round(generated_s, 1),
        "index_build_seconds": round(snap.built_seconds, 2),
        "index_memory_mb": round(rss_after - rss_before, 1),
        "target_p50_ms": P50_TARGET_MS,
        **overall,
        "cpu": _figures([c for _w, c in timings]),
        "target_met": overall["p50_ms"] <= P50_TARGET_MS,
        "found_in_top10": round(sum(found) / len(found), 3),
        "kinds": {},
    }
    for kind in dict.fromkeys(k for k, _q, _t in mix):
        picked = [i for i, (k, _q, _t) in enumerate(mix) if k == kind]
        result["kinds"][kind] = {
            **_figures([timings[i][0] for i in picked]),
            "found_in_top10": round(sum(found[i] for i in picked) / len(picked), 3),
        }
    _print(result)
    return result


def _print(r: dict) -> None:
    met = "met" if r["target_met"] else "NOT met"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(
        f"knowledge search: {r['articles']:,} published articles in the index (built in "
        f"{r['index_build_seconds']} s, ~{r['index_memory_mb']} MB); target p50 ≤ "
        f"{r['target_p50_ms']:.0f} ms; load average {load} on {os.cpu_count()} CPUs"
    )
    print(
        f"  all queries      n={r['n']:>5}  p50 {r['p50_ms']:6.2f} ms ({met})  p90 {r['p90_ms']:6.2f}"
        f"  p99 {r['p99_ms']:6.2f}  max {r['max_ms']:7.2f}  topic in top 10: {r['found_in_top10']:.1%}"
    )
    c = r["cpu"]
    print(
        f"  CPU time         n={c['n']:>5}  p50 {c['p50_ms']:6.2f} ms        p90 {c['p90_ms']:6.2f}"
        f"  p99 {c['p99_ms']:6.2f}  max {c['max_ms']:7.2f}  (wall minus waiting for a core)"
    )
    for kind, f in r["kinds"].items():
        print(
            f"  {kind:<15}  n={f['n']:>5}  p50 {f['p50_ms']:6.2f} ms  p90 {f['p90_ms']:6.2f}  "
            f"p99 {f['p99_ms']:6.2f}  max {f['max_ms']:7.2f}  topic in top 10: {f['found_in_top10']:.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        setup_django(data_dir)
        from django.db import connection

        print(f"database: {connection.vendor}", file=sys.stderr)
        run(args.articles, searches=args.searches, seed=args.seed)


if __name__ == "__main__":
    main()
