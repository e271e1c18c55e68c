from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    label = "ratings"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from tongban.hotline import hooks

        from .services import on_ticket_callback

        hooks.on_callback_recorded(on_ticket_callback)
