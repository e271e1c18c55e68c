from .bundles import Bundle, BundleItem
from .items import (
    Faq,
    Fee,
    LegalBasis,
    LifeEvent,
    ServiceItem,
    ServiceItemVersion,
    SpecialProcedure,
    Theme,
)
from .materials import Material, MaterialHolder, MaterialReviewTerm, Necessity
from .situations import SituationOption, SituationQuestion

__all__ = [
    "Bundle",
    "BundleItem",
    "Faq",
    "Fee",
    "LegalBasis",
    "LifeEvent",
    "Material",
    "MaterialHolder",
    "MaterialReviewTerm",
    "Necessity",
    "ServiceItem",
    "ServiceItemVersion",
    "SituationOption",
    "SituationQuestion",
    "SpecialProcedure",
    "Theme",
]
