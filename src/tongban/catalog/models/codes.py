"""Code tables of the national service-item standard (standards.md §2.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    PAYMENT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    AWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class ExerciseLevel(models.TextChoices):
    NATIONAL = "1", _("国家级")
    PROVINCIAL = "2", _("省级")
    MUNICIPAL = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWN = "5", _("镇（乡、街道）级")
    VILLAGE = "6", _("村（社区）级")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("自然人和法人")


class HandlingType(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")


class OnlineDepth(models.TextChoices):
    FULLY_ONLINE = "full", _("全程网办")
    ONLINE_PREVIEW = "preview", _("网上预审")
    OFFLINE = "offline", _("线下办理")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口办理")
    WEB = "web", _("网上办理")
    MOBILE = "mobile", _("掌上办理")
    KIOSK = "kiosk", _("自助终端")


class Delivery(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    MAIL = "mail", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子证照")


class SpecialProcedureKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_CHECK = "site_check", _("现场核查")
    PUBLICITY = "publicity", _("公示")
    OTHER = "other", _("其他")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ELECTRONIC = "electronic", _("电子件")
    ORIGINAL_AND_COPY = "original_and_copy", _("原件和复印件")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    LICENCE = "licence", _("电子证照（免提交）")
    OTHER = "other", _("其他")


class Audience(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("法人")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")
