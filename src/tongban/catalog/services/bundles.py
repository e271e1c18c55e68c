"""Bundles (一件事): their items, questions and publication."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.permissions import Perm, require_perm

from .. import search
from ..errors import CatalogErrorCode
from ..models import (
    Bundle,
    BundleItem,
    LifeEvent,
    ServiceItem,
    SituationOption,
    SituationQuestion,
    Theme,
)


def bundle_save(*, actor=None, spec: dict[str, Any]) -> Bundle:
    """Create or replace a bundle from a spec::

        {"code", "name", "summary", "audience", "items": [implementation codes],
         "themes": [...], "life_events": [...], "form_fields": [...],
         "questions": [{"code", "text", "options": [{"code", "label",
                        "excludes": [implementation codes], "adds_condition"}]}]}

    Bundle questions decide which member items are needed; item questions are merged by code.
    """
    if actor is not None:
        require_perm(actor, Perm.CONFIG_MANAGE)
    codes = spec.get("items", [])
    items = {
        i.implementation_code: i for i in ServiceItem.objects.filter(implementation_code__in=codes)
    }
    missing = [c for c in codes if c not in items]
    if missing or len(codes) < 2:
        raise ValidationFailed(
            CatalogErrorCode.INVALID_ELEMENT,
            _("一件事至少包含两个已有事项；找不到：%(m)s")
            if missing
            else _("一件事至少包含两个已有事项。%(m)s"),
            field="items",
            m="、".join(missing),
        )
    with transaction.atomic():
        bundle, _created = Bundle.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "summary": spec.get("summary", ""),
                "audience": spec.get("audience", "person"),
                "form_fields": spec.get("form_fields", []),
            },
        )
        bundle.questions.all().delete()
        SituationOption.excludes_items.through.objects.filter(bundleitem__bundle=bundle).delete()
        bundle.bundle_items.all().delete()
        members = {
            code: BundleItem.objects.create(bundle=bundle, item=items[code], order=i)
            for i, code in enumerate(codes)
        }
        for i, q in enumerate(spec.get("questions", [])):
            question = SituationQuestion.objects.create(
                bundle=bundle,
                code=q["code"],
                text=q["text"],
                order=i,
                help_text=q.get("help_text", ""),
            )
            for j, o in enumerate(q["options"]):
                option = SituationOption.objects.create(
                    question=question,
                    code=o["code"],
                    label=o["label"],
                    order=j,
                    adds_condition=o.get("adds_condition", ""),
                )
                option.excludes_items.set([members[c] for c in o.get("excludes", [])])
        bundle.themes.set(Theme.objects.filter(code__in=spec.get("themes", [])))
        bundle.life_events.set(LifeEvent.objects.filter(code__in=spec.get("life_events", [])))
        if spec.get("publish"):
            bundle.is_published = True
            bundle.save(update_fields=["is_published"])
        transaction.on_commit(search.invalidate)
    return bundle


def bundle_publish(*, actor=None, bundle: Bundle, published: bool = True) -> Bundle:
    if actor is not None:
        require_perm(actor, Perm.CONFIG_MANAGE)
    Bundle.objects.filter(pk=bundle.pk).update(is_published=published)
    transaction.on_commit(search.invalidate)
    bundle.is_published = published
    return bundle
