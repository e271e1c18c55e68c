"""知识库: articles, their review and validity, and the operators' live search.

``services`` writes (article_create … article_withdraw, the catalogue sync, the expiry flags),
``selectors`` reads, ``search.knowledge_search`` is the operators' search; the pages are in
``views`` (/console/hotline/knowledge/), the REST endpoint in ``api`` (/api/v1/knowledge).
"""

from .search import ArticleHit, knowledge_search

__all__ = ["ArticleHit", "knowledge_search"]
