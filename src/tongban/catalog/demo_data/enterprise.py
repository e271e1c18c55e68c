"""Demo items of 市场监管局 (scjg) and 审批局 (xzsp): starting, licensing and closing a business."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    BOTH,
    ELECTRONIC,
    ENTERPRISE,
    LICENSING,
    MAIL,
    OTHER_POWER,
    PICKUP,
    PREMISES_PROOF,
    business_licence,
    conditional,
    form,
    id_card,
    item,
    law,
    licence,
    mat,
    option,
    premises_materials,
    premises_question,
    proxy_materials,
    proxy_question,
    question,
    yes_no,
)

REGISTRATION_RULES = "中华人民共和国市场主体登记管理条例"
REGISTRATION_LIMIT = law(
    REGISTRATION_RULES,
    "第十九条",
    "登记机关应当对申请材料进行形式审查。对申请材料齐全、符合法定形式的予以确认并当场登记。"
    "不能当场登记的，应当在3个工作日内予以登记；情形复杂的，经登记机关负责人批准，可以再延长"
    "3个工作日。",
)
SELF_EMPLOYED_RULES = "促进个体工商户发展条例"
FOOD_SAFETY_LAW = "中华人民共和国食品安全法"
FOOD_RULES = "食品经营许可和备案管理办法"
LEGAL_NOTE = "材料齐全、符合法定形式的当场登记；不能当场登记的 3 个工作日内登记"

ITEMS = [
    item(
        "scjg",
        9101,
        LICENSING,
        "个体工商户设立登记",
        legal=3,
        promised=0,
        where="enterprise",
        aliases="个体户注册、办个体执照、个体工商户营业执照、开店执照",
        summary="有经营能力的自然人从事工商业经营，申请设立个体工商户，领取营业执照（同步发放电子"
        "营业执照）。全程网办、当场发照。",
        conditions="有经营能力的自然人；名称、经营范围、经营场所符合规定。",
        legal_limit_note=LEGAL_NOTE,
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="营业执照（个体工商户）",
        outcome_licence_type="YYZZ",
        themes=["ent-startup", "employment"],
        life_events=["ent-open", "work"],
        legal_bases=[REGISTRATION_LIMIT, law(SELF_EMPLOYED_RULES)],
        materials=[
            form(1, "个体工商户登记（备案）申请书"),
            id_card(2, "经营者"),
            *premises_materials(3),
            *proxy_materials(6),
        ],
        questions=[premises_question(3), proxy_question([6, 7])],
    ),
    item(
        "scjg",
        9102,
        LICENSING,
        "个体工商户变更登记",
        legal=3,
        promised=0,
        where="enterprise",
        aliases="个体户变更、变更经营者、变更经营场所、个体户换执照",
        summary="个体工商户变更名称、经营者、经营范围、经营场所等登记事项的，申请变更登记。经营者"
        "变更可直接办理，无需先注销再设立。",
        conditions="已登记的个体工商户；变更后的登记事项符合规定。",
        legal_limit_note=LEGAL_NOTE,
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="营业执照（变更后）",
        outcome_licence_type="YYZZ",
        themes=["ent-startup"],
        life_events=["ent-change"],
        legal_bases=[REGISTRATION_LIMIT, law(SELF_EMPLOYED_RULES)],
        materials=[
            form(1, "个体工商户变更登记申请书"),
            id_card(2, "经营者"),
            business_licence(3),
            conditional(4, PREMISES_PROOF, notes="变更经营场所时提交"),
            licence(5, "新经营者居民身份证", "SFZ", necessity="conditional"),
            conditional(6, "原经营者与新经营者签署的变更经营者协议", form="original"),
        ],
        questions=[
            question(
                "change_kind",
                "要变更哪项登记事项？",
                [
                    option("name_scope", "名称或经营范围"),
                    option("premises", "经营场所", adds=[4]),
                    option("operator", "经营者", adds=[5, 6]),
                ],
            )
        ],
    ),
    item(
        "scjg",
        9103,
        LICENSING,
        "个体工商户注销登记",
        legal=3,
        promised=0,
        where="enterprise",
        aliases="个体户注销、注销执照、个体户关店",
        summary="个体工商户不再从事经营活动的，申请注销登记。未发生债权债务或已将债权债务清偿完结的，"
        "可适用简易注销程序。",
        conditions="已结清应缴税款、社会保险费等；无未了结的行政处罚等影响注销的情形。",
        legal_limit_note=LEGAL_NOTE,
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="准予注销登记通知书",
        themes=["ent-startup"],
        life_events=["ent-change"],
        legal_bases=[REGISTRATION_LIMIT, law(REGISTRATION_RULES, "第三十三条")],
        materials=[
            form(1, "个体工商户注销登记申请书"),
            id_card(2, "经营者"),
            business_licence(3, notes="注销后电子营业执照自动失效，纸质执照交回或声明作废"),
            mat(
                4,
                "清税信息",
                source="government",
                notes="税务部门通过数据共享推送，无需申请人提交",
            ),
            conditional(5, "简易注销承诺书", form="original", notes="经营者对无债权债务作出承诺"),
        ],
        questions=[
            yes_no(
                "simple_deregistration",
                "是否未发生债权债务或债权债务已清偿完结（适用简易注销）？",
                yes={"adds": [5]},
            )
        ],
    ),
    item(
        "scjg",
        9201,
        LICENSING,
        "有限责任公司设立登记",
        legal=3,
        promised=1,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="注册公司、开公司、公司注册、办营业执照、企业开办",
        summary="设立有限责任公司，申请设立登记并领取营业执照。可随“企业开办一件事”一并办理公章"
        "刻制、社会保险登记，一日办结。",
        conditions="股东符合法定人数；有符合公司章程规定的认缴出资；股东共同制定公司章程；有公司名称"
        "和住所，建立符合要求的组织机构。",
        legal_limit_note=LEGAL_NOTE,
        promised_limit_note="企业开办全流程 1 个工作日内办结",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="营业执照（有限责任公司）",
        outcome_licence_type="YYZZ",
        themes=["ent-startup"],
        life_events=["ent-open"],
        legal_bases=[REGISTRATION_LIMIT, law("中华人民共和国公司法")],
        materials=[
            form(1, "公司登记（备案）申请书"),
            mat(2, "公司章程", notes="全体股东在线电子签名，或签字后上传"),
            id_card(3, "法定代表人"),
            mat(
                4,
                "股东主体资格证明",
                notes="自然人股东通过电子身份证在线实名认证，单位股东由系统核验营业执照",
            ),
            mat(5, "法定代表人、董事、监事和经理的任职文件"),
            *premises_materials(6),
            *proxy_materials(9, enterprise=True),
        ],
        questions=[premises_question(6), proxy_question([9, 10], enterprise=True)],
    ),
    item(
        "scjg",
        9202,
        LICENSING,
        "企业注销登记",
        legal=3,
        promised=1,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="公司注销、企业注销、简易注销、关闭公司",
        summary="企业解散、清算完毕后申请注销登记。未发生或已清偿债权债务的，可适用简易注销，公告期"
        "满后办理。",
        conditions="已依法完成清算，或全体投资人承诺企业无未结清的债权债务；已结清应缴税款和社会保险费。",
        legal_limit_note=LEGAL_NOTE,
        special_procedures=[
            {
                "kind": "publicity",
                "limit_days": 20,
                "limit_unit": "day",
                "note": "适用简易注销的，通过国家企业信用信息公示系统公告 20 日",
                "responsible": "云溪区市场监督管理局",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="准予注销登记通知书",
        themes=["ent-startup"],
        life_events=["ent-change"],
        legal_bases=[REGISTRATION_LIMIT, law(REGISTRATION_RULES, "第三十三条")],
        materials=[
            form(1, "企业注销登记申请书"),
            business_licence(2),
            mat(
                3, "清税信息", source="government", notes="税务部门通过数据共享推送，无需申请人提交"
            ),
            conditional(4, "清算报告", notes="股东会或股东确认，全体股东签字"),
            conditional(5, "全体投资人承诺书", form="original", notes="适用简易注销时提交"),
            *proxy_materials(6, enterprise=True),
        ],
        questions=[
            yes_no(
                "simple_deregistration",
                "是否未发生债权债务或债权债务已清偿完结（适用简易注销）？",
                yes={"adds": [5]},
                no={"adds": [4]},
            ),
            proxy_question([6, 7], enterprise=True),
        ],
    ),
    item(
        "scjg",
        9301,
        LICENSING,
        "食品经营许可",
        legal=10,
        promised=3,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="食品经营许可证、餐饮许可证、食品许可证、开饭店许可、小餐饮许可",
        summary="从事食品销售和餐饮服务的，申请食品经营许可。仅销售预包装食品的实行备案，不适用本"
        "事项。",
        conditions="已取得营业执照等主体资格；具有与经营的食品品种、数量相适应的经营场所和设备设施；"
        "有食品安全管理人员和保证食品安全的规章制度；设备布局和工艺流程合理。",
        legal_limit_note="自受理之日起 10 个工作日内作出决定；现场核查时间不计入",
        special_procedures=[
            {
                "kind": "site_check",
                "limit_days": 5,
                "note": "需要对经营场所进行现场核查的，由两名以上核查人员现场核查",
                "responsible": "云溪区市场监督管理局属地市场监管所",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="食品经营许可证",
        outcome_licence_type="SPJYXKZ",
        themes=["ent-permits", "ent-food-drug"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                FOOD_SAFETY_LAW,
                "第三十五条",
                "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得"
                "许可。但是，销售食用农产品和仅销售预包装食品的，不需要取得许可。",
            ),
            law(FOOD_RULES),
        ],
        materials=[
            form(1, "食品经营许可申请书"),
            business_licence(2),
            id_card(3, "法定代表人（负责人）"),
            mat(4, "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
            mat(
                5,
                "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度",
            ),
            conditional(6, "经营场所平面布局图（标明加工制作区域和设施）"),
            *proxy_materials(7, enterprise=True),
        ],
        questions=[
            question(
                "food_business",
                "经营项目属于哪一类？",
                [
                    option("retail", "食品销售（含散装食品、特殊食品）"),
                    option("catering", "餐饮服务（含热食、冷食、生食类）", adds=[6]),
                ],
            ),
            proxy_question([7, 8], enterprise=True),
        ],
    ),
    item(
        "scjg",
        9302,
        OTHER_POWER,
        "仅销售预包装食品备案",
        legal=1,
        promised=0,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="预包装食品备案、小卖部备案、便利店食品备案",
        summary="仅销售预包装食品的经营者，在办理主体登记后向市场监管部门备案，不需要取得食品经营许可。",
        conditions="仅销售预包装食品（含保健食品、特殊医学用途配方食品等特殊食品的，按规定执行）。",
        legal_limit_note="备案信息齐全的当场备案",
        channels=ALL_CHANNELS,
        deliveries=[MAIL],
        outcome_name="仅销售预包装食品备案信息",
        themes=["ent-permits", "ent-food-drug"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                FOOD_SAFETY_LAW,
                "第三十五条",
                "仅销售预包装食品的，应当报所在地县级以上地方人民政府食品安全监督管理部门备案。",
            ),
            law(FOOD_RULES),
        ],
        materials=[form(1, "仅销售预包装食品备案信息采集表"), business_licence(2)],
    ),
    item(
        "scjg",
        9401,
        LICENSING,
        "特种设备使用登记",
        legal=15,
        promised=3,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="电梯使用登记、锅炉使用登记、压力容器登记、特种设备登记证",
        summary="特种设备使用单位在特种设备投入使用前或者投入使用后 30 日内，向负责特种设备安全监督"
        "管理的部门办理使用登记，取得使用登记证书。",
        conditions="特种设备经监督检验合格（需监督检验的）；使用单位配备安全管理人员并建立安全管理制度。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="特种设备使用登记证",
        outcome_licence_type="TZSBSYDJZ",
        themes=["ent-permits"],
        life_events=["ent-licence", "ent-project"],
        legal_bases=[
            law(
                "中华人民共和国特种设备安全法",
                "第三十三条",
                "特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全"
                "监督管理的部门办理使用登记，取得使用登记证书。登记标志应当置于该特种设备的显著位置。",
            )
        ],
        materials=[
            form(1, "特种设备使用登记表"),
            business_licence(2),
            mat(3, "特种设备产品合格证（含产品数据表）"),
            conditional(
                4,
                "安装监督检验证明",
                source="other",
                source_note="特种设备检验机构出具",
                notes="检验机构已联网上传的免提交",
            ),
            conditional(5, "原使用登记证和最近一次定期检验报告"),
        ],
        questions=[
            question(
                "equipment_history",
                "登记的设备是？",
                [
                    option("new", "新安装设备", adds=[4]),
                    option("used", "移装或过户的在用设备", adds=[5]),
                ],
            )
        ],
    ),
    # 行政审批服务局
    item(
        "xzsp",
        9501,
        OTHER_POWER,
        "企业投资项目备案",
        legal=1,
        promised=0,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="项目备案、投资备案、赋码、项目代码",
        summary="企业投资建设实行备案管理的项目，在开工建设前通过投资项目在线审批监管平台告知备案"
        "信息，当场生成项目代码。",
        conditions="不属于政府核准投资项目目录范围的企业投资项目；符合产业政策。",
        legal_limit_note="备案信息齐全的当场备案",
        channels=ALL_CHANNELS,
        deliveries=[MAIL],
        outcome_name="项目备案信息表（含项目代码）",
        themes=["ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                "企业投资项目核准和备案管理条例",
                "第十三条",
                "实行备案管理的项目，企业应当在开工建设前通过在线平台将下列信息告知备案机关：（一）"
                "企业基本情况；（二）项目名称、建设地点、建设规模、建设内容；（三）项目总投资额；"
                "（四）项目符合产业政策的声明。",
            )
        ],
        materials=[
            form(1, "企业投资项目备案信息表"),
            business_licence(2),
            mat(3, "项目符合产业政策的声明", notes="在线勾选确认"),
        ],
    ),
]
