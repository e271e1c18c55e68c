"""Demo items of 城管局 (cgj) and 生态环境分局 (sthj)."""

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
    business_licence,
    conditional,
    form,
    item,
    law,
    mat,
    option,
    question,
    yes_no,
)

EIA_LAW = "中华人民共和国环境影响评价法"

ITEMS = [
    item(
        "cgj",
        12101,
        LICENSING,
        "城市建筑垃圾处置核准",
        legal=20,
        promised=3,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="建筑垃圾处置证、渣土处置核准、建筑垃圾排放",
        summary="建设单位、施工单位在城市规划区内处置建筑垃圾的，申请建筑垃圾处置核准，按核准的运输"
        "单位、路线和消纳场所处置。",
        conditions="有建筑垃圾分类处置方案和资源化利用措施；已与核准的运输企业签订运输合同；有符合要求"
        "的消纳场所。",
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="城市建筑垃圾处置核准文件",
        outcome_licence_type="JZLJHZ",
        themes=["ent-construction", "ent-city"],
        life_events=["ent-project"],
        legal_bases=[law("城市建筑垃圾管理规定"), law("城市市容和环境卫生管理条例")],
        materials=[
            form(1, "城市建筑垃圾处置核准申请表"),
            business_licence(2),
            mat(3, "建筑垃圾处置方案（产生量、运输单位、运输路线、消纳场所）"),
            mat(4, "与建筑垃圾运输企业签订的运输合同"),
            mat(5, "消纳场所的受纳证明", notes="本区备案消纳场所由系统核验，免提交"),
        ],
    ),
    item(
        "cgj",
        12201,
        LICENSING,
        "临时占用城市道路审批",
        legal=20,
        promised=3,
        applicant_kind=BOTH,
        aliases="占道审批、临时占道、占用道路许可",
        summary="因施工、搭建临时设施等特殊情况需要临时占用城市道路的，申请占用城市道路审批。涉及"
        "机动车道的，由城管局联合公安交通管理部门审批，申请人无需分别申请。",
        conditions="确因特殊情况需要临时占用；占用期限、范围合理，有安全防护和交通组织措施。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="临时占用城市道路许可决定书",
        themes=["ent-city", "ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                "城市道路管理条例",
                "第三十一条",
                "因特殊情况需要临时占用城市道路的，须经市政工程行政主管部门和公安交通管理部门批准，"
                "方可按照规定占用。",
            )
        ],
        materials=[
            form(1, "临时占用城市道路申请表"),
            mat(2, "申请人主体资格证明", notes="单位由系统核验营业执照，个人由系统核验身份证"),
            mat(3, "占用道路位置平面图及安全防护方案"),
            conditional(
                4, "交通组织方案", notes="占用机动车道时提交，由城管局转公安交通管理部门会签"
            ),
        ],
        questions=[
            yes_no(
                "carriageway",
                "是否占用机动车道？",
                yes={
                    "adds": [4],
                    "adds_condition": "占用机动车道的，由城管局征求公安交通管理部门意见后联合"
                    "作出决定。",
                },
            )
        ],
    ),
    item(
        "cgj",
        12301,
        LICENSING,
        "设置大型户外广告审批",
        legal=20,
        promised=5,
        where="enterprise",
        applicant_kind=BOTH,
        aliases="户外广告审批、广告牌审批、大型广告设施设置",
        summary="在城市中设置大型户外广告设施的，须经市容环境卫生主管部门同意并办理审批手续。"
        "门头招牌实行备案管理，不适用本事项。",
        conditions="设置位置符合户外广告设施设置规划；设施结构安全；取得场地使用权。",
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="户外广告设施设置许可决定书",
        themes=["ent-city", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[
            law(
                "城市市容和环境卫生管理条例",
                "第十一条",
                "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定"
                "办理审批手续。",
            )
        ],
        materials=[
            form(1, "户外广告设施设置申请表"),
            business_licence(2),
            mat(3, "设置地点现状照片及设置效果图"),
            mat(
                4,
                "设施结构设计图及安全评估报告",
                source="other",
                source_note="具备资质的设计单位出具",
            ),
            mat(5, "场地产权人同意设置的书面意见", form="original"),
        ],
    ),
    # 生态环境分局
    item(
        "sthj",
        13101,
        LICENSING,
        "建设项目环境影响报告表审批",
        legal=30,
        promised=10,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="环评审批、环评报告表审批、环评批复",
        summary="编制环境影响报告表的建设项目，建设单位在开工建设前报生态环境部门审批。",
        conditions="建设项目类型及其选址、布局、规模等符合环境保护法律法规和相关法定规划；环境影响"
        "报告表编制规范、结论明确。",
        legal_limit_note="自收到环境影响报告表之日起 30 日内作出审批决定；技术评估和公示时间不计入",
        special_procedures=[
            {
                "kind": "expert_review",
                "limit_days": 10,
                "note": "委托技术评估机构对报告表进行技术评估",
                "responsible": "云溪市生态环境局云溪分局",
            },
            {
                "kind": "publicity",
                "limit_days": 5,
                "note": "受理和拟作出审批决定前分别在网站公示",
                "responsible": "云溪市生态环境局云溪分局",
            },
        ],
        channels=ALL_CHANNELS,
        deliveries=[MAIL, PICKUP],
        outcome_name="建设项目环境影响报告表审批意见",
        themes=["ent-environment", "ent-construction"],
        life_events=["ent-project"],
        legal_bases=[
            law(
                EIA_LAW,
                "第二十二条",
                "审批部门应当自收到环境影响报告书之日起六十日内，收到环境影响报告表之日起三十日内，"
                "分别作出审批决定并书面通知建设单位。",
            )
        ],
        materials=[
            form(1, "建设项目环境影响报告表审批申请书"),
            business_licence(2),
            mat(3, "建设项目环境影响报告表（全本）"),
            mat(4, "环境影响报告表公开版本及删除内容说明"),
            conditional(5, "建设项目环评审批告知承诺书", form="original"),
        ],
        questions=[
            yes_no(
                "commitment",
                "是否选择告知承诺方式办理（列入告知承诺审批目录的项目）？",
                help_text="选择告知承诺的，当场作出审批决定，事后开展技术复核。",
                yes={"adds": [5]},
            )
        ],
    ),
    item(
        "sthj",
        13201,
        OTHER_POWER,
        "建设项目环境影响登记表备案",
        legal=1,
        promised=0,
        applicant_kind=ENTERPRISE,
        where="construction",
        aliases="环评登记表、环评备案、登记表备案",
        summary="对环境影响很小、不需要进行环境影响评价的建设项目，建设单位在建设项目环境影响登记表"
        "备案系统填报并备案，即时取得备案回执。",
        conditions="属于《建设项目环境影响评价分类管理名录》中应当填报环境影响登记表的项目。",
        legal_limit_note="在线填报即时备案",
        channels=ALL_CHANNELS,
        deliveries=[MAIL],
        outcome_name="建设项目环境影响登记表备案回执",
        themes=["ent-environment"],
        life_events=["ent-project", "ent-licence"],
        legal_bases=[law(EIA_LAW, "第二十二条")],
        materials=[form(1, "建设项目环境影响登记表", notes="在备案系统在线填报，提交即备案")],
    ),
    item(
        "sthj",
        13301,
        LICENSING,
        "排污许可证核发",
        legal=30,
        promised=10,
        where="construction",
        applicant_kind=ENTERPRISE,
        aliases="排污许可、排污证、排污许可证申领",
        summary="纳入固定污染源排污许可分类管理名录、实行重点管理或简化管理的排污单位，在排放污染物"
        "前申领排污许可证。",
        conditions="依法取得建设项目环境影响报告书（表）批准文件或办理登记表备案；污染物排放符合排放"
        "标准和总量控制要求；有符合要求的自行监测方案。",
        legal_limit_note="简化管理 20 日、重点管理 30 日内作出决定",
        special_procedures=[
            {
                "kind": "site_check",
                "limit_days": 5,
                "note": "需要核查的，对排污单位进行现场核查",
                "responsible": "云溪市生态环境局云溪分局",
            }
        ],
        channels=ALL_CHANNELS,
        deliveries=[ELECTRONIC, MAIL, PICKUP],
        outcome_name="排污许可证",
        outcome_licence_type="PWXKZ",
        themes=["ent-environment", "ent-permits"],
        life_events=["ent-licence"],
        legal_bases=[law("排污许可管理条例")],
        materials=[
            form(1, "排污许可证申请表", notes="在全国排污许可证管理信息平台填报"),
            business_licence(2),
            mat(3, "自行监测方案"),
            mat(4, "建设项目环境影响评价审批文件或备案回执", source="government"),
            conditional(5, "污染防治设施及可行技术说明"),
        ],
        questions=[
            question(
                "management_class",
                "排污单位实行哪类管理？",
                [
                    option("simplified", "简化管理"),
                    option(
                        "key",
                        "重点管理",
                        adds=[5],
                        adds_condition="实行重点管理的，自受理申请之日起 30 日内作出审批决定。",
                    ),
                ],
            )
        ],
    ),
]
