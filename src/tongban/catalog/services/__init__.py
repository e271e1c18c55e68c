"""Every change to the catalogue."""

from .bundles import bundle_publish, bundle_save
from .items import (
    item_publish,
    item_retire,
    item_revise,
    item_save_spec,
    version_check_quality,
)
from .taxonomy import review_terms_save, tags_save

__all__ = [
    "bundle_publish",
    "bundle_save",
    "item_publish",
    "item_retire",
    "item_revise",
    "item_save_spec",
    "review_terms_save",
    "tags_save",
    "version_check_quality",
]
