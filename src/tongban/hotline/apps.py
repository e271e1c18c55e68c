from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "tongban.hotline"
    label = "hotline"
    verbose_name = _("12345 热线")

    def ready(self) -> None:
        # The catalogue's service guides appear as knowledge articles: the catalogue tells its
        # listeners when an item is published or retired (it may not import the hotline).
        from tongban.catalog.services.hooks import on_publication_changed

        from . import personal_data
        from .knowledge.catalog_sync import on_catalogue_change
        from .suggestions import install as install_classifier

        on_publication_changed(on_catalogue_change)
        # [D] the active dispatch classifier suggests subjects after the rules and catalogue
        install_classifier()
        # 「查看完整信息」 of a ticket's caller and a missed call (core's logged reveal flow)
        personal_data.register()
