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
from .materials import Material, MaterialReviewTerm, Necessity
from .situations import SituationOption, SituationQuestion

__all__ = [
    "Bundle",
    "BundleItem",
    "Faq",
    "Fee",
    "LegalBasis",
    "LifeEvent",
    "Material",
    "MaterialReviewTerm",
    "Necessity",
    "ServiceItem",
    "ServiceItemVersion",
    "SituationOption",
    "SituationQuestion",
    "SpecialProcedure",
    "Theme",
]
