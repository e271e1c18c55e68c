from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        # The rules app (below cases) reads past cases, the platform's case and licence data,
        # and creates 免申即享 benefit cases through what cases registers here.
        from . import personal_data, providers

        providers.register()
        # 「查看完整信息」 of a case's applicant and form (core's logged reveal flow)
        personal_data.register()
