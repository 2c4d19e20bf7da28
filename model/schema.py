"""The label schema: which labels each prediction head may produce.

The schema is data (a JSON file, see ``data/schemas/labels.json``) so that a new motion type or a
new label set needs a new file, not new code. A trained artifact carries its schema with it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA_PATH = REPO_ROOT / "data" / "schemas" / "labels.json"


class SchemaError(ValueError):
    """The schema file itself is malformed."""


@dataclass(frozen=True)
class LabelSchema:
    """Labels of the three heads, plus optional keyword rules (used as features and by the baseline).

    ``disposition_keywords`` maps a disposition label to regular expressions; its order is the
    priority of the keyword-rule baseline (first label whose rule matches wins).
    """

    name: str
    dispositions: tuple[str, ...]
    unknown_disposition: str | None
    positive_dispositions: tuple[str, ...]
    reasons: tuple[str, ...]
    motion_types: tuple[str, ...]
    disposition_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reason_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def known_dispositions(self) -> tuple[str, ...]:
        return tuple(d for d in self.dispositions if d != self.unknown_disposition)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "LabelSchema":
        try:
            disp, reasons, motion = raw["disposition"], raw["reasons"], raw["motion_type"]
            schema = cls(
                name=str(raw.get("name", "unnamed")),
                dispositions=tuple(disp["labels"]),
                unknown_disposition=disp.get("unknown"),
                positive_dispositions=tuple(disp.get("positive", ())),
                reasons=tuple(reasons["labels"]),
                motion_types=tuple(motion["labels"]),
                disposition_keywords={k: tuple(v) for k, v in disp.get("keywords", {}).items()},
                reason_keywords={k: tuple(v) for k, v in reasons.get("keywords", {}).items()},
            )
        except (KeyError, TypeError) as exc:
            raise SchemaError(f"label schema is missing or mistypes {exc}") from exc
        schema._check()
        return schema

    def _check(self) -> None:
        for head, labels in (("disposition", self.dispositions), ("reasons", self.reasons),
                             ("motion_type", self.motion_types)):
            if not labels or len(set(labels)) != len(labels):
                raise SchemaError(f"label schema: '{head}' needs a non-empty list of distinct labels")
        if self.unknown_disposition is not None and self.unknown_disposition not in self.dispositions:
            raise SchemaError(f"label schema: unknown disposition '{self.unknown_disposition}' is not a label")
        for head, labels, keywords in (("disposition", self.dispositions, self.disposition_keywords),
                                       ("reasons", self.reasons, self.reason_keywords)):
            stray = set(keywords) - set(labels)
            if stray:
                raise SchemaError(f"label schema: {head} keywords name unknown labels {sorted(stray)}")
        stray = set(self.positive_dispositions) - set(self.dispositions)
        if stray:
            raise SchemaError(f"label schema: positive dispositions {sorted(stray)} are not labels")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "disposition": {"labels": list(self.dispositions), "unknown": self.unknown_disposition,
                            "positive": list(self.positive_dispositions),
                            "keywords": {k: list(v) for k, v in self.disposition_keywords.items()}},
            "reasons": {"labels": list(self.reasons),
                        "keywords": {k: list(v) for k, v in self.reason_keywords.items()}},
            "motion_type": {"labels": list(self.motion_types)},
        }


def load_schema(path: str | Path = DEFAULT_SCHEMA_PATH) -> LabelSchema:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"label schema file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(f"label schema {path} is not valid JSON: {exc}") from None
    return LabelSchema.from_dict(raw)
