from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        # 「查看完整信息」 of a licence holder's ID number (core's logged reveal flow)
        from . import personal_data

        personal_data.register()
