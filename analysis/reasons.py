"""Which grounds travel together, which go with grants, and which authorities decisions cite."""
from __future__ import annotations

from typing import Sequence

import pandas as pd


def reason_cooccurrence(table: pd.DataFrame, labels: Sequence[str], *, decided_only: bool = False) -> pd.DataFrame:
    """labels x labels: how many decisions cite both (the diagonal: how many cite each)."""
    data = table[table["decided"]] if decided_only else table
    hot = pd.DataFrame([[label in set(r) for label in labels] for r in data["reasons"]],
                       columns=list(labels), dtype=int)
    return (hot.T @ hot).rename_axis(index="reason", columns="with")


def reason_frequencies(table: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Per reason: how many granted / not granted decisions cite it, and that as a share of each."""
    decided = table[table["decided"]]
    granted = decided[decided["granted"].fillna(False).astype(bool)]
    refused = decided[~decided["granted"].fillna(False).astype(bool)]
    rows = []
    for label in labels:
        g = int(granted["reasons"].map(lambda r: label in r).sum())
        n = int(refused["reasons"].map(lambda r: label in r).sum())
        rows.append({"reason": label, "granted": g, "not_granted": n,
                     "share_of_granted": g / len(granted) if len(granted) else float("nan"),
                     "share_of_not_granted": n / len(refused) if len(refused) else float("nan")})
    return pd.DataFrame(rows, columns=["reason", "granted", "not_granted", "share_of_granted", "share_of_not_granted"])


def citation_counts(table: pd.DataFrame, kinds: Sequence[str] = ("case", "case_reference"), top: int = 20) -> pd.DataFrame:
    """The most cited authorities: in how many granted / not granted decisions each appears."""
    rows = []
    for _, row in table[table["decided"]].iterrows():
        cites = row["citations"] if isinstance(row["citations"], list) else []
        for authority in {c.get("authority") for c in cites if c.get("kind") in kinds and c.get("authority")}:
            rows.append({"authority": authority, "granted": bool(row["granted"])})
    if not rows:
        return pd.DataFrame(columns=["authority", "decisions", "granted", "not_granted"])
    frame = pd.DataFrame(rows)
    out = frame.groupby("authority").agg(decisions=("granted", "size"), granted=("granted", "sum")).reset_index()
    out["granted"] = out["granted"].astype(int)
    out["not_granted"] = out["decisions"] - out["granted"]
    return out.sort_values(["decisions", "authority"], ascending=[False, True]).head(top).reset_index(drop=True)
