"""Demo items of 住建局 (zjj) and 自然资源分局 (zrzy): housing, building and planning."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    BOTH,
    CONFIRMATION,
    ELECTRONIC,
    ENTERPRISE,
    LICENSING,
    MAIL,
    MOBILE,
    OTHER_POWER,
    PERSON,
    PERSON_FORM,
    PICKUP,
    PREVIEW,
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
    property_certificate,
    proxy_materials,
    proxy_question,
    question,
    yes_no,
)

REAL_ESTATE_LAW = "中华人民共和国城市房地产管理法"
PLANNING_LAW = "中华人民共和国城乡规划法"
COMMITMENT_HELP = "选择告知承诺的，以承诺书代替部分材料，审批后进行核查；承诺不实的撤销许可。"

ITEMS = [
    item(
        "zjj",
        10101,
        OTHER_POWER,
        "房屋租赁登记备案",
        legal=3,
        promised=0,
        applicant_kind=BOTH,
        aliases="租房备案、租赁备案、租赁合同备案、房屋出租登记",
        summary="房屋租赁合同订立后 30 日内，出租人和承租人办理房屋租赁登记备案，领取房屋租赁登记"
        "备案证明，可用于居住证申领、随迁子女入学、租赁住房提取公积金等。",
        conditions="出租房屋权属清晰、符合安全和使用要求；租赁合同由当事人签订（网签合同可直接备案）。",
        legal_limit_note="材料齐全、符合要求的 3 个工作日内办理",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="房屋租赁登记备案证明",
        outcome_licence_type="ZLBAZM",
        # The certificate (e-licence ZLBAZM) is filled from these fields by name.
        form_fields=[
            *PERSON_FORM,
            {"code": "house_address", "label": "房屋坐落", "type": "text", "required": True},
            {"code": "lessor", "label": "出租人", "type": "text", "required": True},
            {"code": "area", "label": "租赁面积（平方米）", "type": "decimal", "required": True},
            {
                "code": "purpose",
                "label": "租赁用途",
                "type": "choice",
                "required": True,
                "options": ["居住", "商业", "办公"],
            },
            {"code": "lease_end", "label": "租赁期限至", "type": "date", "required": True},
        ],
        themes=["housing"],
        life_events=["home"],
        legal_bases=[
            law(
                REAL_ESTATE_LAW,
                "第五十四条",
                "房屋租赁，出租人和承租人应当签订书面租赁合同，约定租赁期限、租赁用途、租赁价格、"
                "修缮责任等条款，以及双方的其他权利和义务，并向房产管理部门登记备案。",
            ),
            law(
                "商品房屋租赁管理办法",
                "第十四条",
                "房屋租赁合同订立后三十日内，房屋租赁当事人应当到租赁房屋所在地直辖市、市、县人民"
                "政府建设（房地产）主管部门办理房屋租赁登记备案。",
            ),
        ],
        materials=[
            mat(1, "房屋租赁合同", notes="网签合同由系统调取；纸质合同上传扫描件"),
            licence(2, "出租人和承租人居民身份证", "SFZ"),
            property_certificate(3, notes="出租房屋的不动产权证书，由系统核验不动产登记信息"),
            business_licence(4, necessity="conditional", notes="承租人或出租人为单位的提交"),
            conditional(5, "共有人同意出租的书面意见", form="original"),
            *proxy_materials(6),
        ],
        questions=[
            question(
                "tenant_kind",
                "承租人是个人还是单位？",
                [option("person", "个人"), option("organisation", "单位", adds=[4])],
            ),
            yes_no("co_owned", "出租房屋是否为多人共有？", yes={"adds": [5]}),
            proxy_question([6, 7]),
        ],
        faqs=[
            {
                "question": "备案需要双方都到场吗？",
                "answer": "不需要。网上办理时双方分别在线确认；委托房产经纪机构或他人办理的，提交"
                "授权委托书和受托人身份证。",
            }
        ],
    ),
    item(
        "zjj",
        10201,
        CONFIRMATION,
        "公共租赁住房保障资格申请",
        legal=30,
        promised=20,
        aliases="公租房申请、公租房资格、住房保障申请、保障房",
        summary="符合条件的城镇住房困难家庭、新就业无房职工和在本区稳定就业的外来务工人员，申请"
        "公共租赁住房保障资格，审核通过后轮候配租或领取租赁补贴。住房和收入情况由部门核查，无需"
        "另行开具证明。",
        conditions="在本区无自有住房或人均住房面积低于规定标准；家庭收入、财产符合规定标准；非本区户籍"
        "的须持本区居住证并在本区稳定就业。",
        legal_limit_note="公示时间不计入",
        special_procedures=[
            {
                "kind": "publicity",
                "limit_days": 7,
                "limit_unit": "day",
                "note": "审核结果在申请人户籍或居住地社区公示",
                "responsible": "云溪区住房和城乡建设局",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="公共租赁住房保障资格确认通知书",
        themes=["housing", "social-assistance"],
        life_events=["home", "work"],
        legal_bases=[
            law("公共租赁住房管理办法"),
            law(
                "中华人民共和国社会救助法",
                "第二十六条",
                "属于城镇住房救助对象的，优先配租公租房或者发放公租房租赁补贴。",
            ),
        ],
        materials=[
            form(1, "公共租赁住房保障资格申请表"),
            id_card(2, "家庭成员", holder="other"),
            household_register(3, "家庭成员"),
            mat(
                4,
                "家庭收入、财产和住房状况核查授权书",
                form="original",
                notes="家庭成员签字，同意核查不动产、收入和财产信息",
            ),
            licence(5, "居住证", "JZZ", necessity="conditional"),
            conditional(6, "劳动合同", notes="在本区参保的由系统核验社保信息，免提交"),
        ],
        questions=[
            yes_no("household_local", "申请人户籍是否在云溪区？", no={"adds": [5, 6]}),
        ],
    ),
    item(
        "zjj",
        10301,
        LICENSING,
        "建筑工程施工许可证核发",
        legal=7,
        promised=3,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="施工许可证、开工许可、施工许可",
        summary="建筑工程开工前，建设单位申请领取施工许可证（工程投资额在 100 万元以下或者建筑面积"
        "在 500 平方米以下的小型工程除外）。质量安全监督手续合并办理。",
        conditions="已办理用地批准手续；已取得建设工程规划许可证；已确定施工企业；有满足施工需要的"
        "技术资料；有保证工程质量和安全的具体措施；建设资金已经落实。",
        legal_limit_note="自收到申请之日起七日内",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="建筑工程施工许可证",
        outcome_licence_type="SGXKZ",
        themes=["ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                "中华人民共和国建筑法",
                "第七条",
                "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府建设行政"
                "主管部门申请领取施工许可证；但是，国务院建设行政主管部门确定的限额以下的小型工程除外。",
            ),
            law("中华人民共和国建筑法", "第八条"),
            law("建筑工程施工许可管理办法"),
        ],
        materials=[
            form(1, "建筑工程施工许可申请表"),
            business_licence(2),
            licence(3, "建设工程规划许可证", "JSGCGHXKZ"),
            mat(
                4,
                "施工合同及中标通知书（依法必须招标的）",
                notes="已在公共资源交易平台备案的免提交",
            ),
            mat(5, "施工图设计文件审查合格书或施工图审查承诺书", deferrable=True),
            mat(6, "建设资金已经落实承诺书", form="original", notes="建设单位法定代表人签字并盖章"),
        ],
    ),
    item(
        "zjj",
        10302,
        LICENSING,
        "商品房预售许可",
        legal=10,
        promised=5,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="预售证、预售许可证、商品房预售",
        summary="房地产开发企业预售商品房的，向房产管理部门申请商品房预售许可，取得预售许可证后方可"
        "对外销售。",
        conditions="已交付全部土地使用权出让金，取得土地使用权证书；持有建设工程规划许可证；投入开发"
        "建设的资金达到工程建设总投资的百分之二十五以上，并已确定施工进度和竣工交付日期。",
        special_procedures=[
            {
                "kind": "site_check",
                "limit_days": 3,
                "note": "核查工程形象进度",
                "responsible": "云溪区住房和城乡建设局",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="商品房预售许可证",
        outcome_licence_type="YSXKZ",
        themes=["ent-construction", "housing"],
        life_events=["ent-project"],
        legal_bases=[
            law(REAL_ESTATE_LAW, "第四十五条"),
            law("城市商品房预售管理办法"),
        ],
        materials=[
            form(1, "商品房预售许可申请表"),
            business_licence(2),
            property_certificate(3, notes="国有建设用地使用权不动产权证书，由系统核验"),
            licence(4, "建设工程规划许可证", "JSGCGHXKZ"),
            licence(5, "建筑工程施工许可证", "SGXKZ"),
            mat(6, "投入开发建设资金达到工程建设总投资 25% 以上的证明"),
            mat(7, "商品房预售方案"),
        ],
    ),
    item(
        "zjj",
        10303,
        LICENSING,
        "建设工程消防验收",
        legal=15,
        promised=10,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="消防验收、竣工消防验收",
        summary="国务院住房和城乡建设主管部门规定应当申请消防验收的特殊建设工程竣工后，建设单位申请"
        "消防验收。",
        conditions="特殊建设工程已完成竣工验收消防查验，查验合格。",
        legal_limit_note="自受理之日起 15 日内出具消防验收意见，含现场评定",
        visits=1,
        visits_reason="现场评定时需建设单位组织设计、施工、监理等单位到场",
        online_depth=PREVIEW,
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[PICKUP, MAIL],
        outcome_name="特殊建设工程消防验收意见书",
        themes=["ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                "中华人民共和国消防法",
                "第十三条",
                "国务院住房和城乡建设主管部门规定应当申请消防验收的建设工程竣工，建设单位应当向"
                "住房和城乡建设主管部门申请消防验收。",
            ),
            law("建设工程消防设计审查验收管理暂行规定"),
        ],
        materials=[
            form(1, "特殊建设工程消防验收申请表"),
            mat(2, "工程竣工验收报告"),
            mat(3, "涉及消防的建设工程竣工图纸"),
        ],
    ),
    item(
        "zjj",
        10401,
        LICENSING,
        "城镇污水排入排水管网许可",
        legal=15,
        promised=5,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="排水许可证、排水许可、污水排放许可（排水管网）",
        summary="从事工业、建筑、餐饮、医疗等活动的企业事业单位和个体工商户向城镇排水设施排放污水的，"
        "申领污水排入排水管网许可证。本事项实行告知承诺制。",
        conditions="排放的污水符合纳管标准；按规定建设预处理设施和检测井。",
        legal_limit_note="自受理之日起 15 日内作出决定",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="城镇污水排入排水管网许可证",
        outcome_licence_type="PSXKZ",
        themes=["ent-permits", "ent-environment"],
        life_events=["ent-licence", "ent-project"],
        legal_bases=[
            law(
                "城镇排水与污水处理条例",
                "第二十一条",
                "从事工业、建筑、餐饮、医疗等活动的企业事业单位、个体工商户向城镇排水设施排放污水"
                "的，应当向城镇排水主管部门申请领取污水排入排水管网许可证。",
            ),
            law("城镇污水排入排水管网许可管理办法"),
        ],
        materials=[
            form(1, "污水排入排水管网许可申请表"),
            business_licence(2),
            mat(3, "排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明"),
            conditional(4, "隔油池等污水预处理设施说明及照片"),
            conditional(
                5, "排水水质、水量检测报告", source="other", source_note="具备资质的检测机构出具"
            ),
        ],
        questions=[
            question(
                "discharger_kind",
                "排水户属于哪一类？",
                [
                    option("catering", "餐饮", adds=[4]),
                    option("industry", "工业、医疗等", adds=[5]),
                    option("other", "其他（建筑施工、洗车等）"),
                ],
            )
        ],
    ),
    # 自然资源和规划分局
    item(
        "zrzy",
        11101,
        LICENSING,
        "建设工程规划许可",
        legal=20,
        promised=10,
        where="construction",
        applicant_kind=BOTH,
        aliases="工程规划许可证、建设工程规划许可证、规划许可",
        summary="在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位或者个人"
        "申请办理建设工程规划许可证。设计方案审查与规划许可合并办理。",
        conditions="已取得建设用地使用权；建设工程设计方案符合控制性详细规划和规划条件。",
        legal_limit_note="批前公示时间不计入",
        special_procedures=[
            {
                "kind": "publicity",
                "limit_days": 7,
                "limit_unit": "day",
                "note": "建设工程设计方案总平面图批前公示",
                "responsible": "云溪市自然资源和规划局云溪分局",
            },
            {
                "kind": "expert_review",
                "limit_days": 10,
                "note": "重大项目的设计方案组织专家评审",
                "responsible": "云溪市自然资源和规划局云溪分局",
            },
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="建设工程规划许可证",
        outcome_licence_type="JSGCGHXKZ",
        themes=["ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                PLANNING_LAW,
                "第四十条",
                "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位或者个人"
                "应当向城市、县人民政府城乡规划主管部门或者省、自治区、直辖市人民政府确定的镇人民政府"
                "申请办理建设工程规划许可证。",
            )
        ],
        materials=[
            form(1, "建设工程规划许可申请表"),
            business_licence(2, notes="个人建设的提供身份证，由系统核验"),
            property_certificate(3, notes="国有建设用地使用权不动产权证书，由系统核验"),
            mat(4, "建设工程设计方案（总平面图、建筑单体方案及技术经济指标）"),
            licence(5, "建设用地规划许可证", "JSYDGHXKZ", necessity="conditional"),
            conditional(6, "建设工程规划许可告知承诺书", form="original"),
        ],
        questions=[
            question(
                "land_source",
                "建设用地使用权以何种方式取得？",
                [
                    option("transfer", "出让"),
                    option("allocation", "划拨", adds=[5]),
                ],
            ),
            yes_no(
                "commitment",
                "是否选择告知承诺方式办理（一般社会投资项目）？",
                help_text=COMMITMENT_HELP,
                yes={"adds": [6]},
            ),
        ],
    ),
    item(
        "zrzy",
        11102,
        LICENSING,
        "建设用地规划许可",
        legal=20,
        promised=5,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="用地规划许可证、建设用地规划许可证",
        summary="以出让或划拨方式取得国有土地使用权的建设项目，申请核发建设用地规划许可证（与用地"
        "批准合并办理）。",
        conditions="建设项目已批准、核准或备案；以出让方式取得的已签订国有建设用地使用权出让合同。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="建设用地规划许可证",
        outcome_licence_type="JSYDGHXKZ",
        themes=["ent-construction"],
        life_events=["ent-project"],
        legal_bases=[law(PLANNING_LAW, "第三十七条、第三十八条")],
        materials=[
            form(1, "建设用地规划许可申请表"),
            business_licence(2),
            mat(
                3,
                "建设项目批准、核准或备案文件",
                source="government",
                notes="由投资项目在线审批平台共享",
            ),
            conditional(4, "国有建设用地使用权出让合同"),
            conditional(5, "国有建设用地划拨决定书", source="government"),
        ],
        questions=[
            question(
                "land_source",
                "建设用地使用权以何种方式取得？",
                [
                    option("transfer", "出让", adds=[4]),
                    option("allocation", "划拨", adds=[5]),
                ],
            )
        ],
    ),
    item(
        "zrzy",
        11103,
        LICENSING,
        "乡村建设规划许可",
        legal=20,
        promised=10,
        applicant_kind=BOTH,
        aliases="农房建设许可、农村建房规划许可、乡村规划许可证",
        summary="在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设以及农村村民住宅建设的，"
        "经乡、镇人民政府报区规划部门核发乡村建设规划许可证。",
        conditions="符合乡、村庄规划；农村村民住宅建设已取得宅基地批准。",
        legal_limit_note="含乡、镇人民政府审核时间",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="乡村建设规划许可证",
        outcome_licence_type="XCJSGHXKZ",
        themes=["housing", "ent-construction"],
        life_events=["home", "ent-project"],
        legal_bases=[law(PLANNING_LAW, "第四十一条")],
        materials=[
            form(1, "乡村建设规划许可申请表"),
            id_card(2, "申请人（户主）"),
            conditional(3, "农村宅基地批准文件", source="government"),
            mat(4, "建房设计图或选用的农房通用图"),
            business_licence(5, necessity="conditional"),
        ],
        questions=[
            question(
                "rural_project",
                "建设项目属于？",
                [
                    option("house", "农村村民住宅", adds=[3]),
                    option("enterprise", "乡镇企业、乡村公共设施或公益事业", adds=[5]),
                ],
            )
        ],
    ),
    item(
        "zrzy",
        11201,
        CONFIRMATION,
        "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
        legal=30,
        promised=1,
        applicant_kind=PERSON,
        aliases="过户、二手房过户、房产过户、不动产转移登记",
        summary="存量房买卖的，买卖双方申请不动产转移登记。与交易、缴税“一窗受理、并行办理”，"
        "买方贷款的可同时办理抵押登记，电子证书即时发放。",
        conditions="已签订存量房买卖合同并网签；已缴纳相关税费；房屋无查封等限制。",
        legal_limit_note="自受理登记申请之日起 30 个工作日内办结",
        promised_limit_note="一般转移登记 1 个工作日内办结",
        visits=1,
        visits_reason="买卖双方需到场核验身份并签署登记申请，已开通全程网办的除外",
        online_depth=PREVIEW,
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[ELECTRONIC, PICKUP, MAIL],
        outcome_name="不动产权证书",
        outcome_licence_type="BDCQZ",
        charges_fee=True,
        fees=[
            {
                "name": "不动产登记费",
                "standard": "住宅类每件 80 元（含第一本证书工本费），非住宅类每件 550 元",
                "basis": "国家发展改革委、财政部关于不动产登记收费标准等有关问题的通知",
                "reducible": True,
                "reduction_basis": "按国家规定对小微企业等减免",
            },
            {
                "name": "不动产权证书工本费",
                "standard": "向一个以上权利人核发证书的，每增加一本收取 10 元",
                "basis": "国家发展改革委、财政部关于不动产登记收费标准等有关问题的通知",
                "reducible": False,
                "reduction_basis": "",
            },
        ],
        themes=["housing"],
        life_events=["home"],
        legal_bases=[
            law(
                "不动产登记暂行条例",
                "第二十条",
                "不动产登记机构应当自受理登记申请之日起30个工作日内办结不动产登记手续，法律另有规定"
                "的除外。",
            ),
            law("中华人民共和国民法典", "第二百零九条"),
        ],
        materials=[
            form(1, "不动产登记申请书"),
            licence(2, "买卖双方居民身份证", "SFZ"),
            property_certificate(3, notes="卖方的不动产权证书，电子证照由系统调取"),
            mat(4, "存量房买卖合同（网签）", notes="由网签系统调取，免提交"),
            mat(5, "完税信息", source="government", notes="税务部门推送，免提交"),
            licence(6, "买方结婚证", "JHZ", necessity="conditional"),
            conditional(7, "买方婚姻情况书面声明", form="original", notes="现场或在线签署"),
            conditional(8, "不动产抵押合同及主债权合同", notes="由贷款银行在线推送"),
            *proxy_materials(9),
        ],
        questions=[
            question(
                "buyer_married",
                "买方的婚姻情况是？",
                [
                    option("married", "已婚", adds=[6]),
                    option("single", "未婚、离异或丧偶", adds=[7]),
                ],
            ),
            yes_no("mortgage", "买方是否贷款购房（同时办理抵押登记）？", yes={"adds": [8]}),
            proxy_question([9, 10]),
        ],
    ),
]
