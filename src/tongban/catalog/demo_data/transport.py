"""Demo items of 交通运输局 (jtj)."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    BOTH,
    ELECTRONIC,
    LICENSING,
    MAIL,
    PICKUP,
    business_licence,
    conditional,
    form,
    id_card,
    item,
    law,
    licence,
    mat,
    option,
    proxy_materials,
    proxy_question,
    question,
    vehicle_materials,
    yes_no,
)

RIDE_HAILING_RULES = "网络预约出租汽车经营服务管理暂行办法"
ROAD_TRANSPORT_RULES = "中华人民共和国道路运输条例"

ITEMS = [
    item(
        "jtj",
        8101,
        LICENSING,
        "网络预约出租汽车驾驶员证核发",
        legal=20,
        promised=5,
        aliases="网约车驾驶员证、网约车司机证、网约车从业资格证、人证",
        summary="从事网约车服务的驾驶员，经考试合格并通过背景核查后申领网络预约出租汽车驾驶员证。"
        "无交通肇事犯罪、危险驾驶犯罪、吸毒、暴力犯罪记录等背景情况由公安机关通过数据共享核查，"
        "无需申请人开具证明。可随“我要开网约车”一件事一并办理。",
        conditions="取得相应准驾车型机动车驾驶证并具有 3 年以上驾驶经历；无交通肇事犯罪、危险驾驶"
        "犯罪记录，无吸毒记录，无饮酒后驾驶记录，最近连续 3 个记分周期内没有记满 12 分记录；无暴力"
        "犯罪记录；网约车驾驶员从业资格考试合格。",
        legal_limit_note="自受理之日起 20 日内作出决定",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="网络预约出租汽车驾驶员证",
        outcome_licence_type="WYCJSYZ",
        themes=["employment", "transport", "ent-transport"],
        life_events=["work", "driving"],
        legal_bases=[
            law(RIDE_HAILING_RULES, "第十四条、第十五条"),
            law("出租汽车驾驶员从业资格管理规定"),
        ],
        materials=[
            form(1, "网络预约出租汽车驾驶员证申请表"),
            id_card(2, "驾驶员"),
            licence(3, "机动车驾驶证", "JSZ"),
            licence(4, "居住证", "JZZ", necessity="conditional"),
        ],
        questions=[
            yes_no("household_local", "驾驶员户籍是否在云溪市？", no={"adds": [4]}),
            yes_no(
                "exam_passed",
                "是否已通过网约车驾驶员从业资格考试（全国公共科目和区域科目）？",
                no={
                    "adds_condition": "须先在“云溪通办”报名参加网约车驾驶员从业资格考试，"
                    "考试合格后再申请发证。"
                },
            ),
        ],
    ),
    item(
        "jtj",
        8102,
        LICENSING,
        "网络预约出租汽车运输证核发",
        legal=20,
        promised=5,
        applicant_kind=BOTH,
        aliases="网约车运输证、网约车车辆证、车证",
        summary="拟从事网约车经营的车辆，登记为“预约出租客运”后，由车辆所有人或网约车平台公司申领"
        "网络预约出租汽车运输证。车辆卫星定位装置和应急报警装置由平台接入监管平台在线核验。",
        conditions="7 座及以下乘用车；安装具有行驶记录功能的车辆卫星定位装置、应急报警装置；车辆"
        "技术性能符合运营安全相关标准要求；使用性质已登记为预约出租客运。",
        legal_limit_note="自受理之日起 20 日内作出决定",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="网络预约出租汽车运输证",
        outcome_licence_type="WYCYSZ",
        themes=["transport", "ent-transport"],
        life_events=["work", "driving"],
        legal_bases=[
            law(
                RIDE_HAILING_RULES,
                "第十二条、第十三条",
                "服务所在地出租汽车行政主管部门依车辆所有人或者网约车平台公司申请，按第十二条规定的"
                "条件审核后，对符合条件并登记为预约出租客运的车辆，发放《网络预约出租汽车运输证》。",
            )
        ],
        materials=[
            form(1, "网络预约出租汽车运输证申请表"),
            id_card(2, "车辆所有人"),
            licence(3, "机动车行驶证", "XSZ"),
            *vehicle_materials(4),
            *proxy_materials(7),
        ],
        questions=[proxy_question([7, 8])],
    ),
    item(
        "jtj",
        8201,
        LICENSING,
        "道路货物运输经营许可",
        legal=20,
        promised=5,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="货运许可、道路运输经营许可证、货运资质",
        summary="从事道路普通货物运输经营的，申请道路运输经营许可。使用总质量 4.5 吨及以下普通货运"
        "车辆从事普通货物运输经营的，无需申请本许可。本事项实行告知承诺制。",
        conditions="有与其经营业务相适应并经检测合格的车辆；有符合规定条件的驾驶人员；有健全的安全"
        "生产管理制度。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="道路运输经营许可证",
        outcome_licence_type="DLYSJYXKZ",
        themes=["ent-transport", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[law(ROAD_TRANSPORT_RULES), law("道路货物运输及站场管理规定")],
        materials=[
            form(1, "道路货物运输经营申请表"),
            business_licence(2, notes="个体经营者尚未登记的提供经营者身份证"),
            mat(
                3,
                "拟聘用驾驶人员的机动车驾驶证和从业资格证信息",
                notes="系统在线核验，填写证号即可",
            ),
            mat(4, "安全生产管理制度文本"),
            licence(5, "机动车行驶证", "XSZ", necessity="conditional"),
            conditional(
                6,
                "拟投入车辆承诺书",
                form="original",
                notes="写明拟投入车辆的类型、数量、技术条件和购置时间",
            ),
        ],
        questions=[
            question(
                "vehicles_ready",
                "经营车辆是否已经购置？",
                [
                    option("bought", "已购置", adds=[5]),
                    option("planned", "尚未购置，承诺投入", adds=[6]),
                ],
            )
        ],
    ),
    item(
        "jtj",
        8202,
        LICENSING,
        "道路运输证配发",
        legal=10,
        promised=1,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="营运证、车辆营运证、道路运输证",
        summary="取得道路运输经营许可的经营者，为投入运营的车辆申领道路运输证。",
        conditions="已取得道路运输经营许可；车辆经检验检测合格、技术等级达到规定要求。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="道路运输证",
        outcome_licence_type="DLYSZ",
        themes=["ent-transport"],
        life_events=["ent-licence"],
        legal_bases=[law(ROAD_TRANSPORT_RULES)],
        materials=[
            licence(1, "道路运输经营许可证", "DLYSJYXKZ"),
            licence(2, "机动车行驶证", "XSZ"),
            mat(
                3,
                "车辆综合性能检测报告（技术等级评定）",
                source="other",
                source_note="机动车检验检测机构出具",
                notes="检测机构已联网上传的免提交",
            ),
        ],
    ),
    item(
        "jtj",
        8301,
        LICENSING,
        "公路超限运输许可",
        legal=15,
        promised=2,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="大件运输许可、超限通行证、大件运输",
        summary="车辆装载不可解体物品、车货总体外廓尺寸或总质量超过规定限值，确需在公路上行驶的，"
        "申请公路超限运输许可。",
        conditions="载运不可解体物品；车辆技术状况良好；有符合要求的运输方案。",
        legal_limit_note="一类 2 个、二类 5 个、三类 15 个工作日",
        promised_limit_note="一类、二类超限运输；三类按法定时限",
        special_procedures=[
            {
                "kind": "testing",
                "limit_days": 15,
                "note": "三类超限运输需对通行路线的桥梁、隧道进行技术评估或检测",
                "responsible": "公路管理机构委托的检测机构",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="超限运输车辆通行证",
        outcome_licence_type="CXYSXKZ",
        themes=["ent-transport"],
        life_events=["ent-licence", "ent-project"],
        legal_bases=[law("中华人民共和国公路法", "第五十条"), law("公路安全保护条例")],
        materials=[
            form(1, "公路超限运输申请表"),
            licence(2, "机动车行驶证", "XSZ"),
            licence(3, "道路运输证", "DLYSZ"),
            mat(4, "货物名称、重量、外廓尺寸说明及必要的总体轮廓图"),
            conditional(5, "运输方案及护送方案"),
            conditional(
                6, "通行路线技术评估报告", source="other", source_note="具有资质的评估机构出具"
            ),
        ],
        questions=[
            question(
                "overlimit_class",
                "超限运输属于哪一类？",
                help_text="按车货总高度、总宽度、总长度和总质量区分，申请表填写后由系统判断。",
                options=[
                    option("class1", "一类：车货总高、总宽、总长超限，总质量不超限"),
                    option("class2", "二类：车货总质量超限不超过规定值", adds=[5]),
                    option("class3", "三类：超过二类限值的大件运输", adds=[5, 6]),
                ],
            )
        ],
    ),
]
