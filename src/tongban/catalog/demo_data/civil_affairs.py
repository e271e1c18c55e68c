"""Demo items of 民政局 (mzj) and 退役军人局 (tyjr)."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    CONFIRMATION,
    ELECTRONIC,
    ENTERPRISE,
    MAIL,
    MOBILE,
    OTHER_POWER,
    PAYMENT,
    PICKUP,
    PREVIEW,
    PUBLIC_SERVICE,
    WEB,
    WINDOW,
    business_licence,
    conditional,
    form,
    household_register,
    id_card,
    item,
    law,
    licence,
    mat,
    option,
    proxy_materials,
    proxy_question,
    question,
    yes_no,
)

ELDERLY_LAW = "中华人民共和国老年人权益保障法"
RELIEF_LAW = "中华人民共和国社会救助法"
RELIEF_CHECK = law(
    RELIEF_LAW,
    "第六十二条",
    "对可以通过社会救助家庭经济状况核对机制核实的情况，社会救助管理部门不得要求社会救助对象提供。",
)
RELIEF_CONSENT = (
    "家庭经济状况核对授权书",
    "共同生活的家庭成员签字，同意民政部门核对收入、财产状况（社会救助法第四十条）",
)

ITEMS = [
    item(
        "mzj",
        1101,
        PUBLIC_SERVICE,
        "老年人优待证办理",
        legal=5,
        promised=0,
        aliases="老年证、老人优待证、敬老卡、老年人优待卡",
        summary="为年满 60 周岁的老年人办理优待证（电子证与实体卡同步发放），凭证享受公共交通、"
        "公园景区、文化体育场馆等优待服务。",
        conditions="年满 60 周岁、户籍在云溪区的老年人；户籍不在本区但持有本区有效居住证的老年人"
        "享受同等优待。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        promised_limit_note="材料齐全的当场办结，实体卡 5 个工作日内邮寄",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="老年人优待证",
        outcome_licence_type="YXLRYDZ",
        themes=["elderly-care"],
        life_events=["retirement"],
        legal_bases=[
            law(
                ELDERLY_LAW,
                "第五十三条",
                "县级以上人民政府及其有关部门根据经济社会发展情况和老年人的特殊需要，制定优待"
                "老年人的办法，逐步提高优待水平。对常住在本行政区域内的外埠老年人给予同等优待。",
            ),
            law(ELDERLY_LAW, "第五十八条、第五十九条"),
        ],
        materials=[
            id_card(1, "老年人"),
            licence(2, "居住证", "JZZ", necessity="conditional"),
            mat(
                3,
                "近期一寸白底免冠彩色照片",
                necessity="optional",
                notes="默认使用身份证照片；需要更换照片时上传",
            ),
            *proxy_materials(4),
        ],
        questions=[
            yes_no("household_local", "老人户籍是否在云溪区？", no={"adds": [2]}),
            proxy_question([4, 5]),
        ],
        faqs=[
            {
                "question": "外地户籍的老人能办理吗？",
                "answer": "可以。持有本区有效居住证的外埠老年人享受同等优待，办理时增加居住证。",
            },
            {
                "question": "优待证丢了怎么办？",
                "answer": "电子证随时可在“云溪通办”中出示；实体卡遗失可在线申请补办。",
            },
        ],
    ),
    item(
        "mzj",
        1102,
        PAYMENT,
        "高龄老人长寿补贴申领",
        legal=20,
        promised=5,
        aliases="高龄津贴、长寿金、高龄补贴、长寿补贴",
        summary="为年满 80 周岁的本区户籍老年人按月发放长寿补贴。已纳入“免申即享”：系统按户籍和"
        "年龄自动核定，未被自动核定的老人可通过本事项申请。",
        conditions="户籍在云溪区、年满 80 周岁的老年人。补贴按年龄段分档，按月发放至本人社会保障卡"
        "或本人银行账户。",
        legal_limit_note="含社区（村）初审和街道（镇）审核",
        promised_limit_note="审核通过后次月起发放",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="高龄老人长寿补贴核定结果通知（补贴按月发放）",
        themes=["elderly-care", "social-security"],
        life_events=["retirement"],
        legal_bases=[
            law(
                ELDERLY_LAW,
                "第三十三条",
                "国家建立和完善老年人福利制度，根据经济社会发展水平和老年人的实际需要，增加"
                "老年人的社会福利。国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。",
            )
        ],
        materials=[
            id_card(1, "老年人"),
            licence(2, "社会保障卡", "SBK", notes="补贴发放至社会保障卡金融账户，免提交"),
            conditional(
                3,
                "本人银行账户信息（存折或银行卡）",
                notes="社会保障卡金融账户未激活时提供，账户须为老人本人名下",
            ),
            *proxy_materials(4),
        ],
        questions=[
            proxy_question([4, 5]),
            yes_no(
                "sbk_account",
                "老人的社会保障卡金融账户是否已激活？",
                help_text="已激活的，补贴直接发放到社会保障卡，无需另提供银行账户。",
                no={"adds": [3], "removes": [2]},
            ),
        ],
    ),
    item(
        "mzj",
        1201,
        CONFIRMATION,
        "内地居民结婚登记",
        legal=0,
        promised=0,
        where="marriage",
        aliases="领证、结婚领证、登记结婚、办结婚证",
        summary="内地居民男女双方自愿结婚的，双方亲自到婚姻登记机关申请结婚登记，符合条件的当场"
        "登记并发给结婚证。支持网上预约、全国通办。",
        conditions="男女双方完全自愿；男女双方均已达到法定婚龄；双方均无配偶；双方没有直系血亲和"
        "三代以内旁系血亲关系。",
        legal_limit_note="符合结婚条件的当场予以登记",
        visits=1,
        visits_reason="男女双方须亲自到婚姻登记机关申请，当场签署声明并核验身份",
        online_depth=PREVIEW,
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[PICKUP, ELECTRONIC],
        outcome_name="结婚证",
        outcome_licence_type="JHZ",
        themes=["marriage"],
        life_events=["marriage"],
        legal_bases=[
            law(
                "中华人民共和国民法典",
                "第一千零四十九条",
                "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。符合本法规定的，予以登记，"
                "发给结婚证。完成结婚登记，即确立婚姻关系。",
            ),
            law("婚姻登记条例"),
        ],
        materials=[
            licence(
                1,
                "男女双方居民身份证",
                "SFZ",
                form="original",
                notes="双方现场交验身份证原件，或出示电子身份证",
            ),
            mat(
                2,
                "双方近期半身免冠合影照片",
                form="original",
                copies=3,
                notes="2 寸红底合影；也可在登记处现场拍摄",
            ),
            mat(
                3,
                "无配偶及无禁止结婚亲属关系的签字声明",
                form="original",
                notes="在婚姻登记处现场签署，无需事先准备",
            ),
        ],
        questions=[
            question(
                "both_mainland",
                "男女双方是否均为内地居民？",
                [
                    option("yes", "是，双方均为内地居民"),
                    option(
                        "no",
                        "否，一方为港澳台居民、华侨或外国人",
                        adds_condition="涉外及涉港澳台结婚登记由云溪市婚姻登记中心办理，"
                        "请预约后前往市级登记机关。",
                    ),
                ],
            )
        ],
    ),
    item(
        "mzj",
        1301,
        PAYMENT,
        "最低生活保障申请",
        legal=30,
        promised=15,
        aliases="低保、低保申请、最低生活保障金",
        summary="家庭人均收入低于当地最低生活保障标准且财产状况符合规定的家庭，可申请最低生活保障，"
        "按月领取最低生活保障金。",
        conditions="共同生活的家庭成员户籍在云溪区（持本区居住证的可在居住地申请）；家庭人均收入低于"
        "本市最低生活保障标准；家庭财产状况符合规定。",
        legal_limit_note="自受理之日起，含入户调查、经济状况核对和审核确认",
        promised_limit_note="公示期不计入承诺时限",
        process_steps=[
            "申请：本人或共同生活的家庭成员向户籍所在地街道（镇）提出，也可网上申请或委托社区代为申请",
            "受理：街道（镇）社会救助综合窗口受理，材料不全的一次性告知",
            "调查核实：入户调查、邻里访问，提请民政局核对家庭收入和财产状况",
            "审核确认：街道（镇）提出审核意见，民政局作出确认决定",
            "公示与发放：在社区（村）公示后按月发放；不予确认的书面告知理由",
        ],
        special_procedures=[
            {
                "kind": "publicity",
                "limit_days": 7,
                "limit_unit": "day",
                "note": "确认决定在申请家庭所在社区（村）公布",
                "responsible": "申请人户籍所在地街道（镇）",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="最低生活保障确认决定书",
        themes=["social-assistance"],
        life_events=["hardship"],
        legal_bases=[
            law(
                RELIEF_LAW,
                "第十八条",
                "对家庭人均收入低于当地最低生活保障标准且财产状况符合规定的最低生活保障家庭，由社会"
                "救助管理部门给予最低生活保障，按月发放最低生活保障金。",
            ),
            law(RELIEF_LAW, "第三十七条、第四十条、第四十四条"),
            RELIEF_CHECK,
        ],
        materials=[
            form(1, "最低生活保障申请书"),
            id_card(2, "共同生活家庭成员", holder="other"),
            household_register(3, "共同生活家庭成员"),
            mat(4, RELIEF_CONSENT[0], form="original", notes=RELIEF_CONSENT[1]),
            licence(5, "中华人民共和国残疾人证", "CJRZ", necessity="conditional"),
            conditional(
                6,
                "重病患者近期病历或诊断证明",
                notes="二级以上医疗机构出具，用于认定刚性支出",
            ),
            *proxy_materials(7),
        ],
        questions=[
            yes_no("disabled_member", "家庭成员中是否有持证残疾人？", yes={"adds": [5]}),
            yes_no("serious_illness", "家庭成员中是否有重病患者？", yes={"adds": [6]}),
            proxy_question([7, 8]),
        ],
    ),
    item(
        "mzj",
        1302,
        PAYMENT,
        "临时救助申请",
        legal=15,
        promised=5,
        aliases="临时救助、急难救助、救急",
        summary="因突发性、紧迫性、灾难性困难导致基本生活暂时出现严重困难的家庭或个人，可申请临时"
        "救助；情况紧急的先行救助、事后补充说明。",
        conditions="遭遇火灾、交通事故、突发重大疾病等意外事件，或因刚性支出超出家庭承受能力，基本"
        "生活暂时出现严重困难。",
        legal_limit_note="情况紧急的先行救助",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="临时救助审批结果通知",
        themes=["social-assistance"],
        life_events=["hardship"],
        legal_bases=[
            law(
                RELIEF_LAW,
                "第二十九条",
                "对遭遇突发性、紧迫性、灾难性等困难导致基本生活暂时出现严重困难的人员，由社会救助"
                "管理部门采取发放救助金或者配发实物等方式给予临时救助。",
            ),
            law(RELIEF_LAW, "第五十条"),
            RELIEF_CHECK,
        ],
        materials=[
            form(1, "临时救助申请书", notes="写明困难原因和需要救助的事项"),
            id_card(2),
            mat(3, RELIEF_CONSENT[0], form="original", notes=RELIEF_CONSENT[1]),
            conditional(
                4,
                "因病产生的医疗费用票据",
                notes="医保结算单即可，已在医保系统结算的免提交",
            ),
            *proxy_materials(5),
        ],
        questions=[
            question(
                "hardship_kind",
                "困难的主要原因是什么？",
                [
                    option("illness", "突发重大疾病", adds=[4]),
                    option("accident", "火灾、交通事故等意外"),
                    option("other", "其他原因"),
                ],
            ),
            proxy_question([5, 6]),
        ],
    ),
    item(
        "mzj",
        1303,
        PAYMENT,
        "困难残疾人生活补贴和重度残疾人护理补贴申领",
        legal=20,
        promised=10,
        aliases="残疾人两项补贴、残疾人生活补贴、重残护理补贴",
        summary="为低保家庭中的残疾人发放生活补贴，为残疾等级为一级、二级且需要长期照护的重度残疾人"
        "发放护理补贴。",
        conditions="持有第二代中华人民共和国残疾人证、户籍在云溪区；生活补贴须为最低生活保障家庭成员；"
        "护理补贴须为残疾等级一级、二级的重度残疾人。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="残疾人两项补贴审核结果通知",
        themes=["disability", "social-assistance"],
        life_events=["hardship"],
        legal_bases=[
            law(
                "中华人民共和国残疾人保障法",
                "第四十八条",
                "对生活不能自理的残疾人，地方各级人民政府应当根据情况给予护理补贴。",
            ),
            law("国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见"),
        ],
        materials=[
            form(1, "残疾人两项补贴申请审批表"),
            id_card(2, "残疾人"),
            licence(3, "中华人民共和国残疾人证", "CJRZ"),
            licence(4, "社会保障卡", "SBK", notes="补贴发放至社会保障卡金融账户，免提交"),
            *proxy_materials(5),
        ],
        questions=[
            question(
                "applicant_role",
                "由谁提出申请？",
                [
                    option("self", "残疾人本人"),
                    option("guardian", "法定监护人或委托他人", adds=[5, 6]),
                ],
            )
        ],
    ),
    item(
        "mzj",
        1401,
        PAYMENT,
        "基本殡葬服务费用减免",
        legal=10,
        promised=3,
        aliases="惠民殡葬、殡葬补贴、丧葬费减免",
        summary="本区户籍居民去世后，遗体运送、暂存、火化和骨灰寄存等基本殡葬服务费用按规定减免，"
        "由殡仪馆直接结算。",
        conditions="逝者户籍在云溪区，在本市殡仪馆火化。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="基本殡葬服务费用减免结算单",
        themes=["funeral"],
        life_events=["death"],
        legal_bases=[law("殡葬管理条例")],
        materials=[
            form(1, "基本殡葬服务费用减免申请表"),
            licence(2, "居民死亡医学证明（推断）书", "SWYXZM"),
            id_card(3, "经办人", notes="经办亲属现场核验，或使用电子身份证", holder="agent"),
            mat(
                4,
                "火化证明",
                source="other",
                source_note="殡仪馆出具",
                notes="殡仪馆直接推送的免提交",
            ),
        ],
    ),
    item(
        "mzj",
        1501,
        OTHER_POWER,
        "养老机构备案",
        legal=5,
        promised=2,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="养老院备案、养老机构登记备案",
        summary="依法登记的养老机构开展服务活动后，向民政部门办理备案。",
        conditions="已在市场监督管理部门或民政等部门依法登记，具备与养老服务相适应的场所、设施和人员。",
        legal_limit_note="备案材料齐全的，按本区实施清单办理",
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[PICKUP, MAIL],
        outcome_name="养老机构备案回执",
        themes=["ent-permits", "elderly-care"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                ELDERLY_LAW,
                "第四十三条",
                "设立公益性养老机构，应当依法办理相应的登记。设立经营性养老机构，应当在市场监督"
                "管理部门办理登记。养老机构登记后即可开展服务活动，并向县级以上人民政府民政部门备案。",
            )
        ],
        materials=[
            form(1, "养老机构备案书"),
            mat(2, "养老机构备案承诺书", form="original", notes="法定代表人签字并加盖公章"),
            business_licence(3, notes="民办非企业单位提供登记证书；已有电子证照的免提交"),
            mat(4, "服务场所权属或使用证明"),
        ],
    ),
    # 退役军人事务局
    item(
        "tyjr",
        2101,
        PUBLIC_SERVICE,
        "退役军人优待证申领",
        legal=20,
        promised=10,
        aliases="优待证、退役军人证",
        summary="为退役军人制发优待证，凭证享受交通、文旅、医疗等优待服务。",
        conditions="户籍在云溪区的退役军人，以及在本区安置的退役军人。",
        legal_limit_note="优待证由省级统一制作，含制证时间",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP, ELECTRONIC],
        outcome_name="中华人民共和国退役军人优待证",
        outcome_licence_type="TYJRYDZ",
        themes=["veterans"],
        life_events=["discharge"],
        legal_bases=[law("中华人民共和国退役军人保障法")],
        materials=[
            form(1, "退役军人优待证申领登记表"),
            id_card(2, "退役军人"),
            licence(3, "退出现役证", "TYZ", notes="已在退役军人信息系统中采集的免提交"),
            mat(4, "近期二寸白底免冠彩色照片", notes="电子照片，用于制证"),
        ],
    ),
    item(
        "tyjr",
        2102,
        PAYMENT,
        "优抚对象定期抚恤补助金发放",
        legal=20,
        promised=10,
        aliases="定期抚恤金、优抚金、定补",
        summary="为残疾军人、烈士遗属、因公牺牲军人遗属、病故军人遗属和在乡复员军人等优抚对象"
        "按规定发放定期抚恤金或定期生活补助。",
        conditions="经认定的优抚对象，户籍在云溪区。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="优抚对象抚恤补助审批结果通知",
        themes=["veterans", "social-security"],
        life_events=["discharge"],
        legal_bases=[law("军人抚恤优待条例")],
        materials=[
            form(1, "优抚对象定期抚恤补助申请表"),
            id_card(2),
            household_register(3),
            mat(
                4, "优抚对象身份认定材料", source="government", notes="已在优抚信息系统登记的免提交"
            ),
            licence(5, "社会保障卡", "SBK", notes="抚恤补助金发放账户，免提交"),
        ],
    ),
    item(
        "tyjr",
        2103,
        CONFIRMATION,
        "残疾等级评定（退役军人）",
        legal=60,
        promised=40,
        aliases="伤残评定、评残、残疾军人评残",
        summary="因战、因公致残的退役军人，申请评定残疾等级；评定后享受残疾抚恤待遇。",
        conditions="因战、因公致残且未评定残疾等级或残情加重的退役军人，在规定时限内提出申请。",
        legal_limit_note="医学鉴定、公示时间不计入",
        visits=1,
        visits_reason="需到指定医疗卫生机构进行残疾情况医学鉴定",
        online_depth=PREVIEW,
        special_procedures=[
            {
                "kind": "appraisal",
                "limit_days": 20,
                "note": "由省级退役军人事务部门指定的医疗卫生机构进行残疾情况医学鉴定",
                "responsible": "指定医学鉴定机构",
            },
            {
                "kind": "publicity",
                "limit_days": 7,
                "limit_unit": "day",
                "note": "评定结果在申请人工作单位或居住地公示",
                "responsible": "云溪区退役军人事务局",
            },
        ],
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[PICKUP, MAIL],
        outcome_name="残疾等级评定结论及残疾军人证",
        themes=["veterans", "disability"],
        life_events=["discharge"],
        legal_bases=[law("军人抚恤优待条例")],
        materials=[
            form(1, "残疾等级评定申请表"),
            id_card(2),
            mat(3, "致残经过证明", source="other", source_note="原部队或相关单位出具"),
            mat(4, "医疗诊断及病历材料", form="copy", notes="二级以上医院出具的近 6 个月病历"),
            conditional(5, "原残疾等级证件", form="original", notes="残情加重申请调级时提交"),
        ],
        questions=[
            question(
                "assessment_kind",
                "申请的类型是？",
                [
                    option("first", "首次评定残疾等级"),
                    option("adjust", "残情加重，申请调整残疾等级", adds=[5]),
                ],
            )
        ],
    ),
]
