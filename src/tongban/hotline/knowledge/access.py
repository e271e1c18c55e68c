"""Who may read, write and review knowledge articles.

- Every staff member reads published articles (the knowledge base is shared: 共建共享).
- Editors (``Perm.KNOWLEDGE_EDIT``) write articles: those whose scope is everything (the hotline
  centre's operators) for any department, the others (handlers) for their own department only;
  they also see their departments' drafts, articles in review and withdrawn ones.
- Reviewers (``Perm.KNOWLEDGE_REVIEW``) publish or send back any article and see them all.
"""

from __future__ import annotations

from django.db.models import Q

from tongban.core import selectors as core_selectors
from tongban.core.permissions import Perm, Scope, has_perm, is_staff_member, scope_of

from ..models import Article, ArticleState


def own_department_id(user) -> int | None:
    cached = getattr(user, "_knowledge_department", False)
    if cached is not False:
        return cached
    staff = core_selectors.staff_profile_of(user)
    department_id = staff.department_id if staff else None
    if user is not None:
        user._knowledge_department = department_id
    return department_id


def edits_everything(user) -> bool:
    return has_perm(user, Perm.KNOWLEDGE_EDIT) and scope_of(user) == Scope.ALL


def may_review(user) -> bool:
    return has_perm(user, Perm.KNOWLEDGE_REVIEW)


def may_edit_for(user, department_id: int | None) -> bool:
    """May ``user`` write articles owned by this department?"""
    if not has_perm(user, Perm.KNOWLEDGE_EDIT):
        return False
    if scope_of(user) == Scope.ALL:
        return True
    return department_id is not None and department_id == own_department_id(user)


def may_edit(user, article: Article) -> bool:
    return may_edit_for(user, article.department_id)


def visible_filter(user) -> Q | None:
    """The articles ``user`` may open (None: none at all)."""
    if not is_staff_member(user):
        return None
    if may_review(user) or edits_everything(user):
        return Q()
    published = Q(state=ArticleState.PUBLISHED)
    if has_perm(user, Perm.KNOWLEDGE_EDIT) and own_department_id(user) is not None:
        return published | Q(department_id=own_department_id(user))
    return published
