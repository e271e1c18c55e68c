"""The OpenAPI document names each response and input shape once: two different ninja schemas
with the same class name would share one component, and one of them would be documented wrong
(django-ninja merges the components of all operations by class name)."""

from __future__ import annotations

import json
from collections import defaultdict

from ninja import Schema


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_schemas_sharing_a_name_have_the_same_shape():
    import tongban.config.api  # noqa: F401 - every router and its schemas

    by_name = defaultdict(dict)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("tongban."):
            shape = json.dumps(cls.model_json_schema(), sort_keys=True)
            by_name[cls.__name__][f"{cls.__module__}.{cls.__qualname__}"] = shape
    clashes = {
        name: sorted(classes) for name, classes in by_name.items() if len(set(classes.values())) > 1
    }
    assert clashes == {}


def test_every_operation_documents_the_common_refusals():
    from tongban.config.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation["responses"]}
            assert {"401", "403", "404", "422", "429"} <= codes, (method, path)
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]
