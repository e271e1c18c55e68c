"""A supervisor's review of a flagged rating (a possible burst): genuine, or not the
applicant's own (marked ``fraudulent`` and left out of the figures — never deleted)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.permissions import Perm, has_perm

from ..errors import RatingErrorCode, RatingRefused
from ..models import AppealResult, FlagReview, Rating


def rating_flag_review(*, actor, rating_id: int, genuine: bool, note: str = "") -> FlagReview:
    if not has_perm(actor, Perm.RECTIFICATION_REVIEW):
        raise PermissionDenied(_("只有监察督办人员可以核查异常评价。"))
    with transaction.atomic():
        rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
        if rating is None:
            raise NotFound(_("没有找到该评价。"))
        if not rating.flagged:
            raise RatingRefused(RatingErrorCode.NOT_FLAGGED, _("这条评价没有被标记为待核查。"))
        try:
            with transaction.atomic():
                review = FlagReview.objects.create(
                    rating=rating, reviewer=actor, genuine=bool(genuine), note=(note or "")[:2000]
                )
        except IntegrityError:
            raise RatingRefused(
                RatingErrorCode.ALREADY_REVIEWED, _("这条评价已经核查过了。")
            ) from None
        if not genuine:
            Rating.objects.filter(pk=rating.pk).update(appeal_result=AppealResult.FRAUDULENT)
        return review
