"""知识库: articles, their review and validity, and the operators' live search."""
