"""The catalogue at /admin/ for administrators: items, versions, materials, situations, bundles.

Published and retired versions are read-only here. A draft version (with its elements,
materials and situation questions) is edited with model forms and re-checked for quality after
every save; an item is created through ``item_save_spec``, published with ``item_publish`` and
revised with ``item_revise``; bundles and their questions are saved through ``bundle_save``.
"""

from . import bundles, items, materials, situations, tags

__all__ = ["bundles", "items", "materials", "situations", "tags"]
