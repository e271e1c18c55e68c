"""Demo items of 卫健委 (wjw) and 教育局 (jyj)."""

from __future__ import annotations

from .common import (
    ALL_CHANNELS,
    BOTH,
    ELECTRONIC,
    ENTERPRISE,
    LICENSING,
    MAIL,
    MOBILE,
    OFFLINE,
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
    property_certificate,
    proxy_materials,
    proxy_question,
    question,
    yes_no,
)

PARENTS_ID = "父母双方居民身份证"
DECEASED_ID = "逝者居民身份证（原件，注销户口时交回）"

ITEMS = [
    item(
        "wjw",
        5101,
        PUBLIC_SERVICE,
        "出生医学证明首次签发",
        legal=5,
        promised=0,
        where="hospital",
        aliases="出生证、出生证明、办出生证",
        summary="新生儿在本区助产机构出生的，由助产机构为其签发出生医学证明（纸质与电子证照同步）。"
        "可随“出生一件事”一并办理落户、医保参保和社保卡申领。",
        conditions="新生儿在本区依法设置的助产机构出生；父母已确定新生儿姓名。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        promised_limit_note="信息核对无误的当场签发",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, PICKUP],
        outcome_name="出生医学证明",
        outcome_licence_type="CSYXZM",
        themes=["birth-adoption", "medical"],
        life_events=["birth"],
        legal_bases=[
            law(
                "中华人民共和国母婴保健法",
                "第二十三条",
                "医疗保健机构和从事家庭接生的人员按照国务院卫生行政部门的规定，出具统一制发的新生儿"
                "出生医学证明。",
            )
        ],
        materials=[
            form(1, "出生医学证明首次签发登记表", notes="在线填写新生儿姓名、父母信息并核对"),
            licence(
                2,
                PARENTS_ID,
                "SFZ",
                notes="父母双方的电子身份证由系统核验；父亲信息不详的可只提供母亲",
            ),
            *proxy_materials(3),
        ],
        questions=[proxy_question([3, 4])],
    ),
    item(
        "wjw",
        5102,
        PUBLIC_SERVICE,
        "预防接种证办理",
        legal=5,
        promised=0,
        aliases="接种证、疫苗本、打疫苗本子",
        summary="儿童出生后一个月内，监护人为其办理预防接种证（电子接种证同步生成），作为接种疫苗和"
        "入托、入学查验的凭证。",
        conditions="在本区居住的儿童；出生后一个月内办理，逾期也可补办。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, PICKUP],
        outcome_name="预防接种证",
        outcome_licence_type="YFJZZ",
        themes=["birth-adoption", "medical"],
        life_events=["birth"],
        legal_bases=[
            law(
                "中华人民共和国疫苗管理法",
                "第四十七条",
                "国家对儿童实行预防接种证制度。在儿童出生后一个月内，其监护人应当到儿童居住地承担"
                "预防接种工作的接种单位或者出生医院为其办理预防接种证。",
            )
        ],
        materials=[licence(1, "出生医学证明", "CSYXZM"), licence(2, PARENTS_ID, "SFZ")],
    ),
    item(
        "wjw",
        5201,
        LICENSING,
        "公共场所卫生许可",
        legal=20,
        promised=5,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="卫生许可证、公共场所卫生许可证、宾馆卫生许可、美容美发卫生许可",
        summary="宾馆、旅店、公共浴室、美容美发、游泳场所等公共场所的经营者，开业前申领公共场所卫生"
        "许可证。本事项实行告知承诺制，选择承诺的当场发证、事后核查。",
        conditions="已取得营业执照；经营场所的选址、布局、卫生设施和卫生管理制度符合公共场所卫生标准"
        "和规范。",
        legal_limit_note="自受理之日起 20 个工作日内作出决定；现场审核时间不计入",
        promised_limit_note="选择告知承诺的当场发证",
        special_procedures=[
            {
                "kind": "site_check",
                "limit_days": 5,
                "note": "未选择告知承诺的，对经营场所进行现场审核",
                "responsible": "云溪区卫生健康综合行政执法队",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="公共场所卫生许可证",
        outcome_licence_type="GGCSWSXKZ",
        themes=["ent-health", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[
            law("公共场所卫生管理条例", "第八条"),
            law("公共场所卫生管理条例实施细则"),
        ],
        materials=[
            form(1, "公共场所卫生许可申请表"),
            business_licence(2),
            id_card(3, "法定代表人（负责人）"),
            mat(4, "公共场所地址方位示意图、平面图和卫生设施平面布局图"),
            mat(
                5,
                "公共场所卫生检测或者评价报告",
                source="other",
                source_note="具备资质的检测机构出具",
                deferrable=True,
                commitment_replaceable=True,
            ),
            mat(6, "公共场所卫生管理制度"),
            conditional(
                7, "公共场所卫生许可告知承诺书", form="original", notes="法定代表人（负责人）签字"
            ),
            *proxy_materials(8, enterprise=True),
        ],
        questions=[
            yes_no(
                "commitment",
                "是否选择告知承诺方式办理？",
                help_text="选择告知承诺的，卫生检测报告以承诺代替，当场发证，3 个月内核查。",
                yes={"adds": [7], "removes": [5]},
            ),
            proxy_question([8, 9], enterprise=True),
        ],
    ),
    item(
        "wjw",
        5202,
        LICENSING,
        "医疗机构执业登记",
        legal=45,
        promised=20,
        where="enterprise",
        applicant_kind=ENTERPRISE,
        aliases="医疗机构执业许可证、医院执业登记、门诊部执业登记",
        summary="医疗机构执业前申请执业登记，领取医疗机构执业许可证（诊所实行备案管理，不适用本事项）。",
        conditions="按规定完成医疗机构设置；有符合规定的名称、组织机构、场所、设备设施、专业卫生技术"
        "人员和规章制度；能够独立承担民事责任。",
        legal_limit_note="自受理之日起 45 日内审核；现场审核时间不计入",
        visits=1,
        visits_reason="需对医疗机构执业场所和设备设施进行现场审核，负责人到场确认",
        online_depth=PREVIEW,
        special_procedures=[
            {
                "kind": "site_check",
                "limit_days": 10,
                "note": "组织对执业场所、设备、人员进行现场审核",
                "responsible": "云溪区卫生健康委员会",
            }
        ],
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[PICKUP, MAIL, ELECTRONIC],
        outcome_name="医疗机构执业许可证",
        outcome_licence_type="YLJGZYXKZ",
        themes=["ent-health", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                "医疗机构管理条例",
                "第十五条",
                "医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。",
            )
        ],
        materials=[
            form(1, "医疗机构执业登记申请书"),
            business_licence(
                2, notes="非营利性医疗机构提供事业单位法人证书或民办非企业单位登记证书"
            ),
            id_card(3, "法定代表人（主要负责人）"),
            property_certificate(4, notes="租赁场所的另附房屋租赁合同"),
            mat(5, "医疗机构建筑设计平面图"),
            mat(6, "医疗机构规章制度"),
            mat(7, "医疗机构负责人及各科室负责人名录和执业资格材料"),
        ],
    ),
    item(
        "wjw",
        5203,
        LICENSING,
        "医师执业注册",
        legal=20,
        promised=5,
        aliases="医师注册、执业医师注册、医师执业证书",
        summary="取得医师资格的人员，向拟执业地的卫生健康主管部门申请执业注册，取得医师执业证书"
        "（电子化注册，医疗机构可集体办理）。",
        conditions="已取得医师资格证书；拟在本区医疗卫生机构执业；无医师法第十六条规定的不予注册情形。",
        legal_limit_note="自受理申请之日起 20 个工作日内准予注册",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC],
        outcome_name="医师执业证书（电子证照）",
        outcome_licence_type="YSZYZS",
        themes=["medical", "employment"],
        life_events=["work"],
        legal_bases=[
            law(
                "中华人民共和国医师法",
                "第十三条",
                "除有本法规定不予注册的情形外，卫生健康主管部门应当自受理申请之日起二十个工作日内"
                "准予注册，将注册信息录入国家信息平台，并发给医师执业证书。",
            )
        ],
        materials=[
            form(1, "医师执业注册申请审核表"),
            id_card(2),
            licence(3, "医师资格证书", "ZYYSZGZ"),
            mat(
                4, "申请人 6 个月内的健康体检表", source="other", source_note="县级以上医疗机构出具"
            ),
            mat(5, "拟执业机构的聘用意见", notes="由拟执业机构在系统中在线确认"),
        ],
    ),
    item(
        "wjw",
        5103,
        PUBLIC_SERVICE,
        "生育登记",
        legal=5,
        promised=0,
        aliases="生育服务登记、准生证、一孩登记、二孩登记、三孩登记",
        summary="夫妻生育子女的，可在孕前或孕期进行生育登记，便于获得孕产期保健和生育支持服务。"
        "全程网办，即时生成登记信息。",
        conditions="在本区居住或户籍在本区的生育夫妻。",
        legal_limit_note="法律法规未规定办理时限，按本区实施清单",
        channels=ALL_CHANNELS,
        deliveries=[MAIL],
        outcome_name="生育登记服务单（可在线下载）",
        themes=["birth-adoption"],
        life_events=["birth", "marriage"],
        legal_bases=[law("中华人民共和国人口与计划生育法")],
        materials=[
            licence(1, "夫妻双方居民身份证", "SFZ"),
            licence(2, "结婚证", "JHZ", necessity="conditional"),
        ],
        questions=[
            question(
                "marriage_registered",
                "夫妻双方是否已办理结婚登记？",
                [
                    option("yes", "是", adds=[2]),
                    option(
                        "no",
                        "否",
                        adds_condition="未办理结婚登记的，凭双方身份证即可办理生育登记。",
                    ),
                ],
            )
        ],
    ),
    item(
        "wjw",
        5104,
        PUBLIC_SERVICE,
        "居民死亡医学证明（推断）书签发",
        legal=1,
        promised=0,
        where="hospital",
        aliases="死亡证明、死亡医学证明",
        summary="居民在医疗机构内死亡的由该机构签发；在家中或其他场所死亡的，由社区卫生服务中心"
        "（乡镇卫生院）医师调查后签发，用于办理户口注销、殡葬等手续。",
        conditions="居民在本区死亡。",
        legal_limit_note="医师亲自诊查或调查后签发",
        visits=1,
        visits_reason="须由医疗卫生机构医师亲自诊查或上门调查后签发",
        online_depth=OFFLINE,
        channels=[WINDOW],
        deliveries=[PICKUP, ELECTRONIC],
        outcome_name="居民死亡医学证明（推断）书",
        outcome_licence_type="SWYXZM",
        themes=["funeral", "medical"],
        life_events=["death"],
        legal_bases=[
            law(
                "中华人民共和国医师法",
                "第二十四条",
                "医师实施医疗、预防、保健措施，签署有关医学证明文件，必须亲自诊查、调查，并按照规定"
                "及时填写病历等医学文书。",
            )
        ],
        materials=[
            mat(1, DECEASED_ID, form="original", holder="other"),
            id_card(2, "申报人"),
            conditional(
                3, "死亡前就诊病历", form="copy", notes="在家中死亡的提供，用于推断死亡原因"
            ),
        ],
        questions=[
            question(
                "death_place",
                "逝者在哪里去世？",
                [
                    option("hospital", "在医疗机构内"),
                    option("home", "在家中或其他场所", adds=[3]),
                ],
            )
        ],
    ),
    # 教育局
    item(
        "jyj",
        6101,
        LICENSING,
        "教师资格认定",
        legal=30,
        promised=20,
        aliases="教资认定、教师资格证、教师证、幼师资格证",
        summary="通过中小学教师资格考试或符合免试认定条件的人员，在户籍所在地、居住地或任教学校所在地"
        "申请幼儿园、小学和初级中学教师资格认定。",
        conditions="遵守宪法和法律，热爱教育事业，具有良好的思想品德；具备教师法规定的学历；中小学"
        "教师资格考试合格或符合免试认定条件；普通话水平达到二级乙等以上；体检合格。",
        legal_limit_note="自受理申请之日起 30 日内作出认定结论",
        promised_limit_note="按春秋两季集中认定",
        channels=[WINDOW, WEB, MOBILE],
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="教师资格证书",
        outcome_licence_type="JSZGZS",
        themes=["education", "employment"],
        life_events=["work"],
        legal_bases=[
            law(
                "中华人民共和国教师法",
                "第十三条",
                "中小学教师资格由县级以上地方人民政府教育行政部门认定。",
            ),
            law("教师资格条例"),
            law("〈教师资格条例〉实施办法"),
        ],
        materials=[
            form(1, "教师资格认定申请表", notes="在中国教师资格网填报后生成"),
            id_card(2),
            licence(
                3, "学历证书", "XLZS", notes="学信网在线核验；境外学历另附教育部留学服务中心认证"
            ),
            licence(4, "普通话水平测试等级证书", "PTHZS"),
            mat(
                5,
                "教师资格认定体检表",
                source="other",
                source_note="认定机构指定的县级以上医院出具",
                notes="体检结论由医院在线推送",
            ),
            mat(
                6,
                "中小学教师资格考试合格证明",
                source="government",
                notes="考试合格信息由系统在线核验，免提交",
            ),
            mat(
                7,
                "个人承诺书（思想品德情况）",
                form="original",
                notes="在线签署，替代原思想品德鉴定表",
            ),
            licence(8, "居住证", "JZZ", necessity="conditional"),
            conditional(9, "任教学校出具的在职证明", notes="学校在系统中在线确认的免提交"),
            conditional(10, "师范生教师职业能力证书", source="other", source_note="毕业院校颁发"),
        ],
        questions=[
            question(
                "qualification_level",
                "申请哪一类教师资格？",
                [
                    option("kindergarten", "幼儿园教师资格"),
                    option("primary", "小学或初级中学教师资格"),
                    option(
                        "senior",
                        "高级中学或中等职业学校教师资格",
                        adds_condition="高级中学和中等职业学校教师资格由区教育局受理审查后报"
                        "云溪市教育局认定。",
                    ),
                ],
            ),
            question(
                "application_place",
                "您在本区申请的依据是？",
                [
                    option("household", "户籍在云溪区"),
                    option("residence", "持有云溪区居住证", adds=[8]),
                    option("school", "在云溪区学校任教", adds=[9]),
                ],
            ),
            yes_no("teacher_education", "您是否为教育类专业（师范生）毕业？"),
            yes_no(
                "exempt_exam",
                "是否已取得师范生教师职业能力证书（免试认定）？",
                shown_if="teacher_education.yes",
                yes={"adds": [10], "removes": [6]},
            ),
        ],
        faqs=[
            {
                "question": "没有通过教师资格考试能认定吗？",
                "answer": "教育类研究生和公费师范生等取得师范生教师职业能力证书的，可免试认定；"
                "其他人员须先通过中小学教师资格考试。",
            }
        ],
    ),
    item(
        "jyj",
        6201,
        PUBLIC_SERVICE,
        "义务教育新生入学登记",
        legal=20,
        promised=10,
        aliases="小学报名、初中报名、一年级报名、幼升小、小升初",
        summary="适龄儿童、少年在户籍所在地学校就近免试入学；随迁子女在父母工作或居住地接受义务教育。"
        "网上报名、系统核验户籍和房产信息，招生结果统一公布。",
        conditions="年满 6 周岁的适龄儿童（小学）或小学毕业生（初中）；户籍或父母居住地在本区。",
        legal_limit_note="按年度招生工作方案，招生结果统一公布",
        channels=[WEB, MOBILE, WINDOW],
        deliveries=[MAIL, PICKUP],
        outcome_name="义务教育入学通知书",
        themes=["education"],
        life_events=["schooling"],
        legal_bases=[
            law(
                "中华人民共和国义务教育法",
                "第十二条",
                "适龄儿童、少年免试入学。地方各级人民政府应当保障适龄儿童、少年在户籍所在地学校就近"
                "入学。",
            )
        ],
        materials=[
            form(1, "义务教育新生入学报名登记表"),
            household_register(2, "儿童及监护人"),
            licence(3, "预防接种证", "YFJZZ", notes="入学查验预防接种证，系统核验，免提交"),
            property_certificate(4, necessity="conditional"),
            licence(5, "房屋租赁登记备案证明", "ZLBAZM", necessity="conditional"),
            licence(6, "监护人居住证", "JZZ", necessity="conditional"),
        ],
        questions=[
            yes_no(
                "household_local",
                "儿童户籍是否在云溪区？",
                no={
                    "adds": [6],
                    "adds_condition": "随迁子女按本区随迁子女入学办法统筹安排学位。",
                },
            ),
            question(
                "housing",
                "家庭在本区的住房情况是？",
                [
                    option("own", "自有住房", adds=[4]),
                    option("rent", "租赁住房", adds=[5]),
                ],
            ),
        ],
    ),
    item(
        "jyj",
        6102,
        LICENSING,
        "民办学校设立审批（实施学前教育、学历教育）",
        legal=60,
        promised=30,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="民办幼儿园审批、民办学校办学许可证、办学许可",
        summary="举办实施学前教育、学历教育的民办学校（含民办幼儿园），向区教育局申请正式设立，"
        "取得民办学校办学许可证。",
        conditions="举办者符合法定条件；有学校章程、决策机构和与办学规模相适应的校舍、设施、师资和"
        "办学资金。",
        legal_limit_note="自受理正式设立申请之日起三个月内作出决定，按 60 个工作日计",
        visits=1,
        visits_reason="需对办学场地、设施进行现场核查，举办者代表到场",
        online_depth=PREVIEW,
        special_procedures=[
            {
                "kind": "expert_review",
                "limit_days": 20,
                "note": "组织专家对办学条件进行评审",
                "responsible": "云溪区教育局",
            }
        ],
        channels=[WINDOW, WEB],
        deliveries=[PICKUP, MAIL, ELECTRONIC],
        outcome_name="民办学校办学许可证",
        outcome_licence_type="MBXXBXXKZ",
        themes=["ent-education", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[law("中华人民共和国民办教育促进法", "第十二条")],
        materials=[
            form(1, "民办学校正式设立申办报告"),
            mat(2, "学校章程和首届决策机构组成人员名单"),
            mat(3, "校长、教师和财会人员的资格证明文件"),
            mat(4, "办学资产来源、资金数额及有效证明文件"),
            property_certificate(5, notes="租赁校舍的提供租赁合同，租期不少于 5 年"),
            id_card(6, "举办者", necessity="conditional"),
            business_licence(
                7, necessity="conditional", notes="举办者为社会组织的提供法人登记证书"
            ),
        ],
        questions=[
            question(
                "founder_kind",
                "举办者是？",
                [
                    option("person", "自然人", adds=[6]),
                    option("organisation", "企业或社会组织", adds=[7]),
                ],
            )
        ],
    ),
    item(
        "jyj",
        6202,
        PUBLIC_SERVICE,
        "义务教育阶段学生转学",
        legal=10,
        promised=3,
        aliases="转学、插班、转学籍",
        summary="义务教育阶段学生因户籍迁移、家庭搬迁或随父母工作调动等原因转入本区学校，由转入学校"
        "在学籍系统中发起、区教育局审核。",
        conditions="转入学校有空余学位；学生学籍状态正常。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="学生转学审核结果（学籍系统转接）",
        themes=["education"],
        life_events=["schooling"],
        legal_bases=[law("中华人民共和国义务教育法", "第十二条")],
        materials=[
            form(1, "义务教育阶段学生转学申请表"),
            household_register(2, "学生及监护人"),
            property_certificate(3, necessity="conditional"),
            conditional(4, "监护人在本区就业的劳动合同", notes="已在本区参保的由系统核验，免提交"),
        ],
        questions=[
            question(
                "transfer_reason",
                "转学的原因是？",
                [
                    option("household", "户籍迁入本区"),
                    option("moved", "家庭在本区购房搬迁", adds=[3]),
                    option("job", "随父母工作调动", adds=[4]),
                ],
            )
        ],
    ),
]
