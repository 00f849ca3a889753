"""The grading rules of one guideline version, as the calculator applies them.

They come from content/<guideline>/<version>/grading.yaml (validated by the generator) and
reach the browser as JSON beside that version's pages, so an old release keeps its own rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INDEX_FIELDS = ("ki67_percent", "mitoses_per_2mm2")


@dataclass(frozen=True)
class Bands:
    """A proliferation index: below g2_from is G1, g2_from..g2_to (inclusive) G2, above G3."""

    g2_from: float
    g2_to: float

    def grade(self, value: float) -> str:
        return "G1" if value < self.g2_from else "G2" if value <= self.g2_to else "G3"


@dataclass(frozen=True)
class GradeRules:
    digestive_edition: str
    digestive_citations: tuple[str, ...]
    bands: dict[str, Bands]
    net_g3_typical_ki67_below: float
    lung_edition: str
    lung_citations: tuple[str, ...]
    typical_carcinoid_mitoses_below: float
    atypical_carcinoid_mitoses_to: float
    minen_citations: tuple[str, ...]
    minen_min_component: float
    interpretations: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeRules:
        """Raises KeyError, TypeError or ValueError when the data are incomplete."""
        digestive, lung, minen = data["digestive"], data["lung"], data["minen"]
        return cls(
            digestive_edition=str(digestive["edition"]),
            digestive_citations=tuple(digestive["citations"]),
            bands={name: Bands(_number(digestive[name]["g2_from"]),
                               _number(digestive[name]["g2_to"])) for name in INDEX_FIELDS},
            net_g3_typical_ki67_below=_number(digestive["net_g3_typical_ki67_below"]),
            lung_edition=str(lung["edition"]),
            lung_citations=tuple(lung["citations"]),
            typical_carcinoid_mitoses_below=_number(lung["typical_carcinoid_mitoses_below"]),
            atypical_carcinoid_mitoses_to=_number(lung["atypical_carcinoid_mitoses_to"]),
            minen_citations=tuple(minen["citations"]),
            minen_min_component=_number(minen["min_component_percent"]),
            interpretations=dict(data.get("interpretations", {})),
        )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)
