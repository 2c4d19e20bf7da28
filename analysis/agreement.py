"""How far the model agrees with human labels where both exist: accuracy, Cohen's kappa, confusion."""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """(observed - chance agreement) / (1 - chance); NaN when undefined (no pairs, or chance = 1)."""
    if len(a) != len(b):
        raise ValueError("both raters need the same number of items")
    n = len(a)
    if n == 0:
        return math.nan
    observed = sum(x == y for x, y in zip(a, b)) / n
    sa, sb = pd.Series(list(a)).value_counts() / n, pd.Series(list(b)).value_counts() / n
    chance = float(sum(sa.get(k, 0) * sb.get(k, 0) for k in set(sa.index) | set(sb.index)))
    return math.nan if chance == 1 else (observed - chance) / (1 - chance)


def agreement(table: pd.DataFrame, *, human: str = "human_disposition", model: str = "model_disposition",
              labels: Sequence[str] | None = None) -> dict:
    """On rows with both a human and a model value: n, accuracy, kappa and the confusion table
    (rows: human, columns: model)."""
    both = table.dropna(subset=[human, model])
    labels = list(labels) if labels is not None else sorted(set(both[human]) | set(both[model]))
    confusion = pd.crosstab(pd.Categorical(both[human], categories=labels),
                            pd.Categorical(both[model], categories=labels), dropna=False)
    confusion.index.name, confusion.columns.name = "human", "model"
    n = len(both)
    return {"n": n, "accuracy": float((both[human] == both[model]).mean()) if n else math.nan,
            "kappa": cohen_kappa(list(both[human]), list(both[model])), "confusion": confusion}
