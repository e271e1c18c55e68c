from enum import StrEnum


class CatalogErrorCode(StrEnum):
    ITEM_NOT_FOUND = "item_not_found"
    BUNDLE_NOT_FOUND = "bundle_not_found"
    ANSWER_MISSING = "answer_missing"
    ANSWER_INVALID = "answer_invalid"
    ANSWER_UNEXPECTED = "answer_unexpected"
    INVALID_ELEMENT = "invalid_element"
    NOT_EDITABLE = "not_editable"
    NOT_PUBLISHABLE = "not_publishable"
    IMPORT_INVALID = "import_invalid"
