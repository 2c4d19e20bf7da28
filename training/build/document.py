"""One decision as a source hands it over, before de-duplication and writing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SourceDocument:
    """``fields`` are corpus fields the source knows (court, date, labels...); ``provenance`` says
    where the text came from. ``raw`` texts still need clean-up; texts of an existing corpus do
    not (their labels were given to the text exactly as it is)."""

    id: str
    text: str
    provenance: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    raw: bool = True

    def to_row(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, **self.fields, "provenance": self.provenance}
