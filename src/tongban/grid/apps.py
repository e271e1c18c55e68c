from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "tongban.grid"
    label = "grid"
    verbose_name = _("网格化管理")
