"""The shape of a demo knowledge article (知识库条目)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleSpec:
    title: str
    department: str  # owning department code
    subject: str  # leaf name in ``taxonomy``
    keywords: str
    content: str
    # Validity in months relative to the day the demo is loaded: (from, until); until None
    # means open-ended. A negative ``until`` makes an expired article (flagged to its owner).
    valid: tuple[int, int | None] = (-12, None)
    # "published" (the most), "pending" (waiting for review) or "draft".
    state: str = "published"


def art(title, department, subject, keywords, content, valid=(-12, None), state="published"):
    return ArticleSpec(title, department, subject, keywords, content.strip(), valid, state)
