from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "tongban.rules"
    label = "rules"
    verbose_name = _("智能审批与数据共享")
