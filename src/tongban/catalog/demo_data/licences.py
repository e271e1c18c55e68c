"""The e-licence type codes the demo catalogue uses (invented short codes, not national ones).

``LICENCE_TYPES`` lists every code that appears as a material's ``licence_type`` (免证办) or an
item's ``outcome_licence_type``, with its name and the demo department that issues it ("" when
the issuer is outside the demo district, e.g. a university or the army). The licences app
creates its licence types from this list.
"""

from __future__ import annotations

# (code, name, issuing department code or "")
LICENCE_TYPES: list[tuple[str, str, str]] = [
    # held by applicants, used as materials
    ("SFZ", "居民身份证", "gaj"),
    ("HKB", "居民户口簿", "gaj"),
    ("JZZ", "居住证", "gaj"),
    ("JSZ", "机动车驾驶证", "gaj"),
    ("XSZ", "机动车行驶证", "gaj"),
    ("JHZ", "结婚证", "mzj"),
    ("CSYXZM", "出生医学证明", "wjw"),
    ("SWYXZM", "居民死亡医学证明（推断）书", "wjw"),
    ("YYZZ", "营业执照", "scjg"),
    ("BDCQZ", "不动产权证书", "zrzy"),
    ("SBK", "社会保障卡", "rsj"),
    ("CJRZ", "中华人民共和国残疾人证", ""),
    ("XLZS", "学历证书", ""),
    ("PTHZS", "普通话水平测试等级证书", ""),
    ("ZYYSZGZ", "医师资格证书", ""),
    ("TYZ", "退出现役证", ""),
    # issued by demo items
    ("YXLRYDZ", "云溪区老年人优待证", "mzj"),
    ("TYJRYDZ", "退役军人优待证", "tyjr"),
    ("JYCYZ", "就业创业证", "rsj"),
    ("RLZYFWXKZ", "人力资源服务许可证", "rsj"),
    ("LWPQJYXKZ", "劳务派遣经营许可证", "rsj"),
    ("YFJZZ", "预防接种证", "wjw"),
    ("GGCSWSXKZ", "公共场所卫生许可证", "wjw"),
    ("YLJGZYXKZ", "医疗机构执业许可证", "wjw"),
    ("YSZYZS", "医师执业证书", "wjw"),
    ("JSZGZS", "教师资格证书", "jyj"),
    ("MBXXBXXKZ", "民办学校办学许可证", "jyj"),
    ("WFZJLZM", "无犯罪记录证明", "gaj"),
    ("TZHYXKZ", "特种行业许可证（旅馆业）", "gaj"),
    ("WYCJSYZ", "网络预约出租汽车驾驶员证", "jtj"),
    ("WYCYSZ", "网络预约出租汽车运输证", "jtj"),
    ("WYCJYXKZ", "网络预约出租汽车经营许可证", "jtj"),
    ("DLYSJYXKZ", "道路运输经营许可证", "jtj"),
    ("DLYSZ", "道路运输证", "jtj"),
    ("CXYSXKZ", "超限运输车辆通行证", "jtj"),
    ("SPJYXKZ", "食品经营许可证", "scjg"),
    ("TZSBSYDJZ", "特种设备使用登记证", "scjg"),
    ("ZLBAZM", "房屋租赁登记备案证明", "zjj"),
    ("SGXKZ", "建筑工程施工许可证", "zjj"),
    ("YSXKZ", "商品房预售许可证", "zjj"),
    ("PSXKZ", "城镇污水排入排水管网许可证", "zjj"),
    ("JSGCGHXKZ", "建设工程规划许可证", "zrzy"),
    ("JSYDGHXKZ", "建设用地规划许可证", "zrzy"),
    ("XCJSGHXKZ", "乡村建设规划许可证", "zrzy"),
    ("PWXKZ", "排污许可证", "sthj"),
    ("JZLJHZ", "城市建筑垃圾处置核准文件", "cgj"),
]

LICENCE_CODES = frozenset(code for code, _name, _dept in LICENCE_TYPES)
