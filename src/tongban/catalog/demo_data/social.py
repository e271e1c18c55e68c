"""Demo items of 人社局 (rsj) and 医保局 (ybj)."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    BOTH,
    CONFIRMATION,
    ELECTRONIC,
    ENTERPRISE,
    LICENSING,
    MAIL,
    PAYMENT,
    PICKUP,
    PUBLIC_SERVICE,
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

SI_LAW = "中华人民共和国社会保险法"
EMPLOYMENT_RULES = "就业服务与就业管理规定"
TERMINATION_PROOF = "终止或者解除劳动关系的证明"

ITEMS = [
    item(
        "rsj",
        3101,
        PUBLIC_SERVICE,
        "就业登记",
        legal=5,
        promised=0,
        applicant_kind=BOTH,
        aliases="就业创业证、就业备案、用工登记",
        summary="劳动者被用人单位招用的，由用人单位为其办理就业登记；从事个体经营或灵活就业的，"
        "由本人办理。登记后可凭就业创业证享受相应扶持政策。",
        conditions="在法定劳动年龄内、已实现就业的劳动者。用人单位应当自录用之日起 30 日内办理。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="就业创业证（就业登记信息）",
        outcome_licence_type="JYCYZ",
        themes=["employment", "ent-hr"],
        life_events=["work", "ent-hiring"],
        legal_bases=[
            law(
                EMPLOYMENT_RULES,
                "第六十二条",
                "劳动者被用人单位招用的，由用人单位为劳动者办理就业登记。",
            ),
            law("中华人民共和国就业促进法"),
        ],
        materials=[
            id_card(1, "劳动者"),
            conditional(2, "劳动合同或用工协议", notes="单位招用时提供，网上申报可上传电子合同"),
            business_licence(3, necessity="conditional"),
        ],
        questions=[
            question(
                "employment_kind",
                "劳动者以哪种方式就业？",
                [
                    option("employed", "被用人单位招用", adds=[2]),
                    option("self_employed", "从事个体经营", adds=[3]),
                    option("flexible", "灵活就业（如网约配送、自由职业）"),
                ],
            )
        ],
    ),
    item(
        "rsj",
        3102,
        PUBLIC_SERVICE,
        "失业登记",
        legal=5,
        promised=0,
        aliases="登记失业、失业证、就业创业证（失业）",
        summary="在法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城镇常住人员，可在常住地"
        "进行失业登记，享受职业介绍、职业培训和相关扶持政策。",
        conditions="在法定劳动年龄内，有劳动能力，有就业要求，处于无业状态；在本区常住。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="就业创业证（失业登记信息）",
        outcome_licence_type="JYCYZ",
        themes=["employment", "social-security"],
        life_events=["work"],
        legal_bases=[
            law(
                EMPLOYMENT_RULES,
                "第六十三条",
                "在法定劳动年龄内，有劳动能力，有就业要求，处于无业状态的城镇常住人员，可以到"
                "常住地的公共就业服务机构进行失业登记。",
            ),
            law(SI_LAW, "第五十条"),
        ],
        materials=[
            id_card(1),
            conditional(
                2,
                TERMINATION_PROOF,
                notes="原单位已通过系统报送解除劳动关系信息的免提交",
                deferrable=True,
            ),
            licence(3, "居住证", "JZZ", necessity="conditional"),
        ],
        questions=[
            yes_no(
                "contract_ended",
                "是否因用人单位终止或解除劳动关系而失业？",
                yes={"adds": [2]},
            ),
            yes_no("household_local", "户籍是否在云溪区？", no={"adds": [3]}),
        ],
    ),
    item(
        "rsj",
        3201,
        PAYMENT,
        "失业保险金申领",
        legal=10,
        promised=3,
        aliases="失业金、领失业金、失业补助",
        summary="失业前已参加失业保险并缴费满一年、非因本人意愿中断就业、已进行失业登记并有求职"
        "要求的失业人员，可申领失业保险金，领取期间由失业保险基金代缴基本医疗保险费。",
        conditions="失业前用人单位和本人已缴纳失业保险费满一年；非因本人意愿中断就业；已进行失业登记"
        "并有求职要求。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="失业保险待遇核定结果（按月发放至社会保障卡）",
        themes=["employment", "social-security"],
        life_events=["work"],
        legal_bases=[
            law(
                SI_LAW,
                "第四十五条",
                "失业人员符合下列条件的，从失业保险基金中领取失业保险金：（一）失业前用人单位和"
                "本人已经缴纳失业保险费满一年的；（二）非因本人意愿中断就业的；（三）已经进行失业"
                "登记，并有求职要求的。",
            ),
            law(SI_LAW, "第四十六条、第五十条"),
            law("失业保险条例"),
        ],
        materials=[
            id_card(1),
            licence(2, "社会保障卡", "SBK", notes="失业保险金发放账户，免提交"),
            mat(
                3,
                TERMINATION_PROOF,
                notes="原单位已通过系统报送解除劳动关系信息的免提交",
                deferrable=True,
            ),
        ],
    ),
    item(
        "rsj",
        3301,
        PUBLIC_SERVICE,
        "社会保障卡申领",
        legal=20,
        promised=5,
        aliases="社保卡、办社保卡、社保卡首次申领、电子社保卡",
        summary="首次申领第三代社会保障卡（同步签发电子社保卡），用于就医结算、待遇领取、"
        "身份凭证和公共服务“一卡通”。新生儿可随出生一件事一并申领。",
        conditions="已在本市参加社会保险或属于本市户籍居民（含新生儿）。",
        promised_limit_note="网上申请的制卡后邮寄；在社保卡服务网点可即时制卡",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP, ELECTRONIC],
        outcome_name="社会保障卡",
        outcome_licence_type="SBK",
        themes=["social-security", "birth-adoption"],
        life_events=["birth", "work"],
        legal_bases=[
            law(
                SI_LAW,
                "第五十八条",
                "国家建立全国统一的个人社会保障号码。个人社会保障号码为公民身份号码。",
            )
        ],
        materials=[
            id_card(1, "申领人"),
            mat(
                2,
                "近期白底免冠彩色证件照片（电子版）",
                necessity="optional",
                notes="默认使用公安人口库照片；16 周岁以下无照片的可不提供",
            ),
            licence(3, "监护人居民身份证", "SFZ", necessity="conditional"),
            household_register(4, "申领人", necessity="conditional"),
        ],
        questions=[
            yes_no(
                "minor",
                "申领人是否未满 16 周岁？",
                help_text="未满 16 周岁的由监护人代为申领，可凭户口簿办理。",
                yes={"adds": [3, 4], "removes": [1]},
            )
        ],
    ),
    item(
        "rsj",
        3202,
        PAYMENT,
        "职工基本养老保险待遇申领（退休）",
        legal=20,
        promised=5,
        aliases="办退休、退休审批、养老金申领、退休金",
        summary="参加职工基本养老保险、达到法定退休年龄且累计缴费满最低缴费年限的人员，申领按月"
        "领取的基本养老金；符合条件的可申请弹性提前或弹性延迟退休。",
        conditions="达到法定退休年龄（含按规定弹性提前、弹性延迟退休）；累计缴费年限达到国家规定的"
        "最低缴费年限。",
        promised_limit_note="单位或个人提前 1 个月申报的，到龄次月起发放",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="基本养老金核定表（按月发放至社会保障卡）",
        themes=["social-security", "elderly-care"],
        life_events=["retirement"],
        legal_bases=[
            law(
                SI_LAW,
                "第十六条",
                "参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。",
            ),
            law("全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定"),
        ],
        materials=[
            form(1, "职工基本养老保险待遇申领表"),
            id_card(2),
            licence(3, "社会保障卡", "SBK", notes="养老金发放账户，免提交"),
            conditional(
                4,
                "劳动能力鉴定结论书",
                source="government",
                source_note="劳动能力鉴定委员会出具",
                notes="因病或非因工致残完全丧失劳动能力申请提前退休的提交",
            ),
            conditional(5, "弹性退休申请书", form="original", notes="本人签字，写明选择的退休时间"),
        ],
        questions=[
            question(
                "retirement_kind",
                "您申请哪种退休？",
                [
                    option("normal", "达到法定退休年龄正常退休"),
                    option("flexible", "弹性提前或弹性延迟退休", adds=[5]),
                    option("disability", "因病或非因工致残完全丧失劳动能力提前退休", adds=[4]),
                ],
            )
        ],
    ),
    item(
        "rsj",
        3302,
        PUBLIC_SERVICE,
        "城乡居民基本养老保险参保登记",
        legal=5,
        promised=0,
        aliases="居民养老保险、城乡居保、农村养老保险参保",
        summary="年满 16 周岁（不含在校学生）、未参加职工基本养老保险的本区户籍居民，可参加城乡居民"
        "基本养老保险。",
        conditions="年满 16 周岁（不含在校学生），非国家机关和事业单位工作人员，未参加职工基本养老"
        "保险，户籍在云溪区。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="城乡居民基本养老保险参保登记信息",
        outcome_licence_type="SBK",
        themes=["social-security"],
        life_events=["retirement"],
        legal_bases=[law(SI_LAW, "第二十条、第二十二条")],
        materials=[id_card(1), household_register(2)],
    ),
    item(
        "rsj",
        3401,
        CONFIRMATION,
        "就业困难人员认定",
        legal=15,
        promised=5,
        aliases="就业困难认定、困难人员认定",
        summary="因身体状况、技能水平、家庭因素等原因难以实现就业，以及连续失业一定时间仍未能实现"
        "就业的人员，经认定后享受就业援助政策。",
        conditions="已进行失业登记；属于本市规定的就业困难人员范围（大龄失业人员、残疾人、最低生活"
        "保障家庭成员、连续失业一年以上等）。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="就业困难人员认定结果（记入就业创业证）",
        outcome_licence_type="JYCYZ",
        themes=["employment"],
        life_events=["work", "hardship"],
        legal_bases=[
            law(
                "中华人民共和国就业促进法",
                "第五十二条",
                "各级人民政府建立健全就业援助制度，采取税费减免、贷款贴息、社会保险补贴、岗位补贴"
                "等办法，通过公益性岗位安置等途径，对就业困难人员实行优先扶持和重点帮助。",
            )
        ],
        materials=[
            form(1, "就业困难人员认定申请表"),
            id_card(2),
            licence(3, "中华人民共和国残疾人证", "CJRZ", necessity="conditional"),
        ],
        questions=[
            question(
                "difficulty_kind",
                "您属于哪一类就业困难人员？",
                [
                    option("age", "大龄失业人员（女 40 周岁、男 50 周岁以上）"),
                    option("disabled", "持证残疾人", adds=[3]),
                    option("low_income", "最低生活保障家庭成员"),
                    option("long_term", "连续失业一年以上"),
                ],
                help_text="年龄、低保和失业时长由系统核查，无需提供证明。",
            )
        ],
    ),
    item(
        "rsj",
        3203,
        PAYMENT,
        "丧葬补助金、抚恤金申领",
        legal=20,
        promised=5,
        aliases="丧葬费、抚恤金、遗属待遇、死亡待遇",
        summary="参加职工基本养老保险的个人因病或者非因工死亡的，其遗属可领取丧葬补助金和抚恤金。",
        conditions="逝者生前参加职工基本养老保险（含已退休人员）；申领人为逝者的配偶、子女、父母等"
        "遗属。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="丧葬补助金、抚恤金核定结果",
        themes=["social-security", "funeral"],
        life_events=["death"],
        legal_bases=[
            law(
                SI_LAW,
                "第十七条",
                "参加基本养老保险的个人，因病或者非因工死亡的，其遗属可以领取丧葬补助金和抚恤金。",
            ),
            law(SI_LAW, "第四十九条"),
        ],
        materials=[
            form(1, "丧葬补助金、抚恤金申领表"),
            licence(2, "居民死亡医学证明（推断）书", "SWYXZM"),
            id_card(3, "申领人"),
            conditional(
                4,
                "申领人与逝者关系的证照（户口簿、结婚证或出生医学证明）",
                notes="与逝者同在一本户口簿的由系统核验，免提交",
            ),
            mat(5, "申领人本人银行账户信息", notes="待遇一次性发放至申领人本人账户"),
        ],
        questions=[
            yes_no(
                "same_household",
                "申领人与逝者是否在同一本户口簿上？",
                no={"adds": [4]},
            )
        ],
    ),
    item(
        "rsj",
        3501,
        LICENSING,
        "人力资源服务许可",
        legal=20,
        promised=5,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="职业中介许可、人力资源服务许可证、职业介绍许可",
        summary="经营性人力资源服务机构从事职业中介活动的，应当取得人力资源服务许可证。本事项实行"
        "告知承诺制。",
        conditions="依法登记的经营性人力资源服务机构；有明确的章程和管理制度；有开展业务必备的固定"
        "场所、办公设施和与业务相适应的专职工作人员。",
        legal_limit_note="自收到申请之日起 20 日内作出决定",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="人力资源服务许可证",
        outcome_licence_type="RLZYFWXKZ",
        themes=["ent-hr", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                "人力资源市场暂行条例",
                "第十八条",
                "经营性人力资源服务机构从事职业中介活动的，应当依法向人力资源社会保障行政部门申请"
                "行政许可，取得人力资源服务许可证。",
            )
        ],
        materials=[
            form(1, "人力资源服务许可申请书"),
            business_licence(2),
            mat(
                3,
                "经营场所使用证明",
                notes="自有房产由系统核验不动产登记信息；租赁的提供租赁合同",
                commitment_replaceable=True,
            ),
            mat(4, "专职工作人员名单及相关资格材料", commitment_replaceable=True),
            mat(5, "人力资源服务工作规则和管理制度"),
            conditional(6, "告知承诺书", form="original", notes="法定代表人签字并加盖公章"),
        ],
        questions=[
            yes_no(
                "commitment",
                "是否选择告知承诺方式办理？",
                help_text="选择告知承诺的，经营场所和人员材料以承诺代替，审批后进行核查。",
                yes={"adds": [6], "removes": [3, 4]},
            )
        ],
    ),
    item(
        "rsj",
        3502,
        LICENSING,
        "劳务派遣经营许可",
        legal=20,
        promised=10,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="劳务派遣许可证、劳务派遣资质",
        summary="经营劳务派遣业务的公司，应当向人力资源社会保障行政部门申请劳务派遣经营许可。",
        conditions="注册资本不得少于人民币二百万元；有与开展业务相适应的固定的经营场所和设施；"
        "有符合法律、行政法规规定的劳务派遣管理制度。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="劳务派遣经营许可证",
        outcome_licence_type="LWPQJYXKZ",
        themes=["ent-hr", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                "中华人民共和国劳动合同法",
                "第五十七条",
                "经营劳务派遣业务，应当向劳动行政部门依法申请行政许可；经许可的，依法办理相应的"
                "公司登记。未经许可，任何单位和个人不得经营劳务派遣业务。",
            ),
            law("劳务派遣行政许可实施办法"),
        ],
        materials=[
            form(1, "劳务派遣经营许可申请书"),
            business_licence(2),
            id_card(3, "法定代表人"),
            mat(4, "注册资本实缴的验资报告或出资证明"),
            mat(5, "经营场所使用证明"),
            mat(6, "劳务派遣管理制度文本", notes="含劳动合同、劳动报酬、社会保险、工作时间等制度"),
            mat(7, "拟与用工单位签订的劳务派遣协议样本"),
        ],
    ),
    item(
        "rsj",
        3303,
        PUBLIC_SERVICE,
        "单位社会保险登记",
        legal=15,
        promised=0,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="单位参保登记、企业社保开户、社保登记",
        summary="用人单位自成立之日起 30 日内申请办理社会保险登记。企业开办时可随营业执照一并办理，"
        "登记信息与营业执照合一，不再单独发证。",
        conditions="依法成立的用人单位。",
        legal_limit_note="社会保险经办机构自收到申请之日起 15 日内审核",
        channels=ALL_CHANNELS,
        deliveries=[MAIL],
        outcome_name="单位社会保险登记信息（与营业执照合一）",
        themes=["ent-hr", "ent-startup", "ent-tax"],
        life_events=["ent-open", "ent-hiring"],
        legal_bases=[
            law(
                SI_LAW,
                "第五十七条",
                "用人单位应当自成立之日起三十日内凭营业执照、登记证书或者单位印章，向当地社会保险"
                "经办机构申请办理社会保险登记。",
            )
        ],
        materials=[
            business_licence(1),
            id_card(2, "法定代表人"),
            mat(3, "单位银行结算账户信息", notes="用于社会保险费划缴，网上填写"),
        ],
    ),
    # 医疗保障局
    item(
        "ybj",
        4101,
        PUBLIC_SERVICE,
        "城乡居民基本医疗保险参保登记",
        legal=5,
        promised=0,
        aliases="居民医保、城乡医保参保、新生儿医保、少儿医保",
        summary="未参加职工基本医疗保险的本区户籍居民、持本区居住证的居民和新生儿，可参加城乡居民"
        "基本医疗保险。新生儿出生后可随出生一件事一并参保。",
        conditions="未参加职工基本医疗保险；户籍在云溪区或持有本区有效居住证；新生儿随父母一方参保。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="城乡居民基本医疗保险参保登记信息",
        outcome_licence_type="SBK",
        themes=["medical", "social-security", "birth-adoption"],
        life_events=["birth", "illness"],
        legal_bases=[
            law(
                SI_LAW,
                "第二十五条",
                "国家建立和完善城镇居民基本医疗保险制度。城镇居民基本医疗保险实行个人缴费和政府补贴"
                "相结合。",
            )
        ],
        materials=[
            id_card(1, "参保人"),
            licence(2, "出生医学证明", "CSYXZM", necessity="conditional"),
            licence(3, "居住证", "JZZ", necessity="conditional"),
            licence(4, "监护人居民身份证", "SFZ", necessity="conditional"),
        ],
        questions=[
            question(
                "insured_kind",
                "参保人属于哪种情况？",
                [
                    option("resident", "本区户籍居民"),
                    option("newborn", "新生儿", adds=[2, 4], removes=[1]),
                    option("nonlocal", "非本区户籍、持本区居住证的居民", adds=[3]),
                ],
            )
        ],
    ),
    item(
        "ybj",
        4102,
        PUBLIC_SERVICE,
        "异地就医备案",
        legal=5,
        promised=0,
        aliases="跨省异地就医备案、异地就医直接结算、异地长期居住备案",
        summary="参保人员跨省或市外就医前办理备案，备案后可在就医地定点医疗机构直接结算。",
        conditions="本区参保人员；异地长期居住、常驻异地工作或临时外出就医。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="异地就医备案信息",
        outcome_licence_type="SBK",
        themes=["medical"],
        life_events=["illness", "retirement"],
        legal_bases=[
            law(
                SI_LAW,
                "第二十九条",
                "社会保险行政部门和卫生行政部门应当建立异地就医医疗费用结算制度，方便参保人员享受"
                "基本医疗保险待遇。",
            )
        ],
        materials=[
            id_card(1, "参保人"),
            conditional(
                2,
                "异地长期居住或工作个人承诺书",
                form="electronic",
                notes="在线签署，无需提供居住或工作证明材料",
            ),
            conditional(
                3,
                "转诊转院材料",
                source="other",
                source_note="转出医院出具",
                notes="医院已在线推送的免提交",
            ),
        ],
        questions=[
            question(
                "filing_kind",
                "您办理哪种备案？",
                [
                    option("long_term", "异地长期居住或常驻异地工作", adds=[2]),
                    option("referral", "转诊转院就医", adds=[3]),
                    option("temporary", "其他临时外出就医"),
                ],
            )
        ],
    ),
    item(
        "ybj",
        4201,
        PAYMENT,
        "医疗费用手工（零星）报销",
        legal=20,
        promised=10,
        aliases="医保报销、零星报销、手工报销、垫付报销",
        summary="参保人员因急诊、未办备案异地就医等原因全额垫付医疗费用的，可申请按规定报销。",
        conditions="本区参保人员；发生的医疗费用符合基本医疗保险支付范围，且未在医疗机构直接结算。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="医疗费用报销结算单（报销款发放至社会保障卡）",
        themes=["medical"],
        life_events=["illness"],
        legal_bases=[
            law(
                SI_LAW,
                "第二十八条",
                "符合基本医疗保险药品目录、诊疗项目、医疗服务设施标准以及急诊、抢救的医疗费用，按照"
                "国家规定从基本医疗保险基金中支付。",
            )
        ],
        materials=[
            id_card(1, "参保人"),
            mat(2, "医疗费用票据", form="original", notes="电子票据可直接上传或由系统调取"),
            mat(3, "费用明细清单"),
            conditional(4, "出院记录", notes="住院费用报销时提交"),
            licence(5, "社会保障卡", "SBK", notes="报销款发放账户，免提交"),
            *proxy_materials(6),
        ],
        questions=[
            question(
                "care_kind",
                "报销的是哪类费用？",
                [option("outpatient", "门诊费用"), option("inpatient", "住院费用", adds=[4])],
            ),
            proxy_question([6, 7]),
        ],
    ),
    item(
        "ybj",
        4202,
        PAYMENT,
        "生育津贴申领",
        legal=20,
        promised=5,
        applicant_kind=BOTH,
        aliases="产假工资、生育保险待遇、生育津贴",
        summary="参加生育保险的职工生育享受产假或享受计划生育手术休假的，按规定领取生育津贴。"
        "可由用人单位代为申领。",
        conditions="用人单位已为职工缴纳生育保险费（随职工基本医疗保险缴纳）。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="生育津贴核定结果",
        themes=["birth-adoption", "medical"],
        life_events=["birth"],
        legal_bases=[
            law(
                SI_LAW,
                "第五十六条",
                "职工有下列情形之一的，可以按照国家规定享受生育津贴：（一）女职工生育享受产假；"
                "（二）享受计划生育手术休假；（三）法律、法规规定的其他情形。",
            ),
            law(SI_LAW, "第五十四条"),
        ],
        materials=[
            form(1, "生育津贴申领表"),
            id_card(2, "职工"),
            licence(3, "出生医学证明", "CSYXZM", necessity="conditional"),
            conditional(4, "计划生育手术医疗证明", source="other", source_note="施术医疗机构出具"),
        ],
        questions=[
            question(
                "allowance_reason",
                "申领生育津贴的原因是？",
                [
                    option("birth", "生育", adds=[3]),
                    option("surgery", "计划生育手术", adds=[4]),
                ],
            )
        ],
    ),
    item(
        "ybj",
        4301,
        CONFIRMATION,
        "门诊慢特病待遇认定",
        legal=15,
        promised=5,
        aliases="慢性病认定、特殊病认定、门特、门慢",
        summary="患有高血压、糖尿病、恶性肿瘤门诊治疗等规定病种的参保人员，经认定后门诊费用按门诊"
        "慢特病标准报销。定点医院可直接线上认定。",
        conditions="本区参保人员，经二级以上定点医疗机构确诊患有本市规定的门诊慢特病病种。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="门诊慢特病待遇认定结果",
        outcome_licence_type="SBK",
        themes=["medical"],
        life_events=["illness"],
        legal_bases=[law(SI_LAW, "第二十八条")],
        materials=[
            form(1, "门诊慢特病待遇认定申请表", notes="可由定点医疗机构医生在线代为填报"),
            id_card(2, "参保人"),
            mat(
                3,
                "近期诊断证明及相关检查报告",
                source="other",
                source_note="二级以上定点医疗机构出具",
                notes="定点医院已在线推送的免提交",
            ),
        ],
    ),
    item(
        "ybj",
        4302,
        CONFIRMATION,
        "退休人员基本医疗保险待遇核定",
        legal=20,
        promised=3,
        aliases="退休医保、退休后医保待遇、医保缴费年限核定",
        summary="参加职工基本医疗保险的个人办理退休时，核定其医保缴费年限；达到规定年限的，退休后"
        "不再缴费，享受退休人员医保待遇。",
        conditions="参加职工基本医疗保险、已办理或正在办理退休手续。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="退休人员基本医疗保险待遇核定结果",
        outcome_licence_type="SBK",
        themes=["medical", "elderly-care"],
        life_events=["retirement"],
        legal_bases=[
            law(
                SI_LAW,
                "第二十七条",
                "参加职工基本医疗保险的个人，达到法定退休年龄时累计缴费达到国家规定年限的，退休后"
                "不再缴纳基本医疗保险费，按照国家规定享受基本医疗保险待遇；未达到国家规定年限的，"
                "可以缴费至国家规定年限。",
            )
        ],
        materials=[
            id_card(1),
            conditional(
                2,
                "基本医疗保险参保凭证（外地转入）",
                source="government",
                source_note="转出地医保经办机构出具",
                notes="已通过全国转移接续平台转入的免提交",
            ),
        ],
        questions=[
            yes_no(
                "other_region_years",
                "是否有外地职工医保缴费年限需要合并计算？",
                yes={"adds": [2]},
            )
        ],
    ),
]
