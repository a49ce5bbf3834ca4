"""SLA policies: which deadlines an incident gets when it opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

SEVERITIES = ("general", "serious", "major")
SEVERITY_LABELS = {"general": "一般", "serious": "较大", "major": "重大"}


@dataclass(frozen=True)
class SlaPolicy:
    """A deadline ``due_after`` the detection time, for incidents of these severities
    and alert categories (brand crises by default, not crawler trouble)."""

    kind: str
    due_after: timedelta
    severities: tuple[str, ...] = SEVERITIES
    categories: tuple[str, ...] = ("brand",)

    def applies_to(self, severity: str, category: str = "brand") -> bool:
        return severity in self.severities and category in self.categories
