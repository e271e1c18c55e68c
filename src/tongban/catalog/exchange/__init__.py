"""The catalogue workbook: export the whole catalogue to Excel and import it back.

The layout (one sheet per element group, Chinese headers, rows linked by implementation code)
is defined in ``layout`` and described in ``docs/catalog-workbook.md``.
"""

from .export import ExportSummary, catalogue_export, current_versions
from .importer import ImportReport, catalogue_check, catalogue_import
from .reader import ImportInvalid, ImportProblem
from .specs import spec_from_bundle

__all__ = [
    "ExportSummary",
    "ImportInvalid",
    "ImportProblem",
    "ImportReport",
    "catalogue_check",
    "catalogue_export",
    "catalogue_import",
    "current_versions",
    "spec_from_bundle",
]
