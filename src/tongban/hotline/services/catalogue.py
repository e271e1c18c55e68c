"""The dispatch catalogue (派单目录) is versioned: one version is published at a time."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound
from tongban.core.permissions import Perm, require_perm

from .. import clocks, dispatch
from ..models import CatalogueStatus, DispatchCatalogue


def catalogue_publish(*, actor, version: int) -> DispatchCatalogue:
    """Publish a catalogue version; the one in force until now is retired."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        require_perm(actor, Perm.CONFIG_MANAGE)
    with transaction.atomic():
        catalogue = DispatchCatalogue.objects.select_for_update().filter(version=version).first()
        if catalogue is None:
            raise NotFound(_("没有找到派单目录 v%(v)s。") % {"v": version})
        DispatchCatalogue.objects.filter(status=CatalogueStatus.PUBLISHED).exclude(
            pk=catalogue.pk
        ).update(status=CatalogueStatus.RETIRED)
        catalogue.status = CatalogueStatus.PUBLISHED
        catalogue.published_at = timezone.now()
        catalogue.published_by = actor if getattr(actor, "pk", None) else None
        catalogue.save()
    transaction.on_commit(dispatch.invalidate)
    transaction.on_commit(clocks.invalidate)
    return catalogue
