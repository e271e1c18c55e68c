from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self):
        from . import security  # noqa: F401  (connects the login/logout audit receivers)
        from .crypto import check_configuration

        check_configuration()  # personal-data keys: production refuses to start without them
