"""PostgreSQL keeps tables, indexes and constraints in one namespace per schema.

SQLite does not, so a constraint named like a table only breaks on PostgreSQL.
This check catches it on either database.
"""

from collections import Counter

from django.apps import apps


def _index_and_constraint_names():
    for model in apps.get_models():
        for item in [*model._meta.constraints, *model._meta.indexes]:
            yield model._meta.label, item.name


def test_no_constraint_or_index_is_named_like_a_table():
    tables = {model._meta.db_table for model in apps.get_models()}
    clashes = [(label, name) for label, name in _index_and_constraint_names() if name in tables]
    assert clashes == []


def test_constraint_and_index_names_are_unique():
    counts = Counter(name for _, name in _index_and_constraint_names())
    assert [name for name, count in counts.items() if count > 1] == []
