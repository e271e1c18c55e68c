from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfserviceConfig(AppConfig):
    name = "tongban.selfservice"
    label = "selfservice"
    verbose_name = _("自助服务")

    def ready(self) -> None:
        # cases sits below selfservice: it reaches the lockers through this provider
        from tongban.cases.services.delivery import register_locker_provider

        from .services.lockers import LockerProvider

        register_locker_provider(LockerProvider())
