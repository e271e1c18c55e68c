from .supervision import (
    Card,
    CardKind,
    Colour,
    MonthlyReport,
    OrderStatus,
    ScoreWeights,
    SubjectKind,
    SupervisionOrder,
    Urge,
)

__all__ = [
    "Card",
    "CardKind",
    "Colour",
    "MonthlyReport",
    "OrderStatus",
    "ScoreWeights",
    "SubjectKind",
    "SupervisionOrder",
    "Urge",
]
