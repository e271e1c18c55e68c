"""Dispatch rules (派单规则) of the demo catalogue, in evaluation order (the first match wins).

Each rule: name, keywords (any one in the title or content), and optionally a subject (the leaf
name, matching it and nothing else), a region code (the ticket's street or town), a request
type; the target is a department code, the street that owns the address (``to_locality``), or
both. Region-specific rules come first: they are the exceptions to the general ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    keywords: str
    department: str | None = None
    to_locality: bool = False
    subject: str | None = None
    region: str | None = None
    ticket_type: str = ""


RULES: list[Rule] = [
    # Region-specific first.
    Rule("白沙镇海塘堤防", "海塘,堤坝,大堤,渔港码头", to_locality=True, region="330199101"),
    Rule("青石镇秸秆焚烧", "秸秆,烧田,烧荒", to_locality=True, region="330199100"),
    Rule("东湖街道流动摊贩", "摆摊,摊贩,流动摊", department="cgj", region="330199002"),
    Rule("西岭隧道照明", "隧道灯,隧道照明,隧道内灯", department="cgj", region="330199003"),
    # Danger to life and property: straight to the department that can act at once.
    Rule("燃气泄漏", "燃气泄漏,漏气,煤气味,液化气罐", department="zjj"),
    Rule("电梯困人", "电梯困人,困在电梯,电梯坠落,电梯停运", department="scjg"),
    Rule("井盖窨井", "井盖,窨井,下水井盖", department="cgj"),
    # Subject and keyword together: an estate's lift belongs to the lift inspectors.
    Rule(
        "小区电梯故障", "电梯故障,电梯坏,电梯停运,困人", department="scjg", subject="物业服务质量"
    ),
    Rule("欠薪讨薪", "欠薪,拖欠工资,讨薪,工资没发,工钱", department="rsj"),
    Rule("停水停电", "停水,没水了,停电,跳闸", department="zjj"),
    Rule("电信诈骗", "诈骗,被骗,刷单,冒充客服", department="gaj"),
    Rule("餐饮油烟", "油烟,烧烤摊,排烟管道", department="cgj"),
    Rule("夜间施工", "夜间施工,打桩,连夜施工,凌晨施工", department="cgj"),
    Rule("违章搭建（属地）", "违建,违章搭建,私自加盖,搭建彩钢棚", to_locality=True),
    Rule("电动车飞线充电（属地）", "飞线充电,楼道充电,电瓶车充电", to_locality=True),
    Rule("医保报销与备案", "医保报销,异地就医,医保卡,门诊慢特病", department="ybj"),
    Rule("社保转移与养老金", "社保转移,养老金,退休待遇,社保卡", department="rsj"),
    Rule("入学与学区", "入学报名,学区,施教区,小学报名", department="jyj"),
    Rule("出租车与网约车", "出租车,网约车,拒载,绕路", department="jtj"),
    Rule("广场舞与社会生活噪声", "广场舞,音响扰民,KTV", department="gaj"),
    Rule("食品安全", "过期食品,变质,发霉,吃坏肚子,食物中毒", department="scjg"),
    Rule("预付卡", "预付卡,储值卡,会员卡退费", department="scjg"),
]
