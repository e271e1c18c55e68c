"""Themes, life events and material review terms of the demo catalogue."""

from __future__ import annotations

# (code, name, audience)
THEMES: list[tuple[str, str, str]] = [
    ("birth-adoption", "生育收养", "person"),
    ("household", "户籍办理", "person"),
    ("education", "教育科研", "person"),
    ("employment", "就业创业", "person"),
    ("social-security", "社会保障", "person"),
    ("medical", "医疗卫生", "person"),
    ("elderly-care", "养老服务", "person"),
    ("housing", "住房保障", "person"),
    ("transport", "交通出行", "person"),
    ("marriage", "婚姻登记", "person"),
    ("disability", "残疾人", "person"),
    ("veterans", "退役军人", "person"),
    ("social-assistance", "社会救助", "person"),
    ("funeral", "殡葬服务", "person"),
    ("ethnic-religion", "民族宗教", "person"),
    ("ent-startup", "开办企业", "enterprise"),
    ("ent-permits", "准营准办", "enterprise"),
    ("ent-construction", "工程建设", "enterprise"),
    ("ent-tax", "税费缴纳", "enterprise"),
    ("ent-hr", "人力资源", "enterprise"),
    ("ent-transport", "交通运输", "enterprise"),
    ("ent-health", "卫生健康", "enterprise"),
    ("ent-environment", "环境保护", "enterprise"),
    ("ent-education", "教育培训", "enterprise"),
    ("ent-city", "市政市容", "enterprise"),
    ("ent-food-drug", "食品药品", "enterprise"),
]

# (code, name, audience)
LIFE_EVENTS: list[tuple[str, str, str]] = [
    ("birth", "出生", "person"),
    ("schooling", "上学", "person"),
    ("work", "就业", "person"),
    ("marriage", "结婚", "person"),
    ("home", "买房租房", "person"),
    ("illness", "生病就医", "person"),
    ("driving", "驾车出行", "person"),
    ("retirement", "退休养老", "person"),
    ("hardship", "生活困难", "person"),
    ("discharge", "退役安置", "person"),
    ("death", "身后事", "person"),
    ("ent-open", "企业开办", "enterprise"),
    ("ent-licence", "经营许可", "enterprise"),
    ("ent-project", "项目建设", "enterprise"),
    ("ent-hiring", "招聘用工", "enterprise"),
    ("ent-change", "变更注销", "enterprise"),
]

# Requirements that may no longer be demanded (已取消的证明事项, 不得要求群众提供的材料): a material
# whose name contains one of these terms is flagged by the quality checker for review.
REVIEW_TERMS: list[tuple[str, str]] = [
    (
        "亲属关系证明",
        "已取消的证明事项：亲属关系通过户口簿、结婚证、出生医学证明等证照或部门间核查确认",
    ),
    ("居住证明", "已取消的证明事项：居住情况通过居住证、房屋租赁登记备案等信息核查"),
    ("婚姻状况证明", "已取消的证明事项：婚姻状况通过婚姻登记信息共享核查或由本人书面声明"),
    ("无房证明", "已取消的证明事项：住房情况通过不动产登记信息共享核查"),
    ("户籍证明", "已取消的证明事项：户籍信息通过人口信息库核查，不得要求另行开具"),
    ("收入证明", "家庭经济状况通过居民家庭经济状况核对机制核查，不得要求申请人开具"),
    ("参保证明", "参保缴费信息由社会保险经办机构在线核查，不得要求申请人打印或开具"),
    ("身体健康证明", "法律法规未规定的健康证明不得要求提供；法定体检以指定机构体检结论为准"),
    ("未就业证明", "就业失业状态通过就业登记信息核查，不得要求社区或单位开具"),
    ("生存证明", "养老金领取资格通过数据比对和刷脸认证，不得要求开具生存证明"),
    ("无违法犯罪证明", "除法律法规明确规定外，不得要求开具无违法犯罪证明"),
]
