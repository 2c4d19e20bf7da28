"""MODEL_CARD.md: what a model is for, what it was trained on, how well it does, beside baselines."""
from __future__ import annotations

from typing import Any

from training.evaluate import HEADLINE, _dig


def _table(metrics: dict[str, Any]) -> str:
    systems = [s for s in ("model", "majority", "keyword_rules") if s in metrics]
    rows = ["| metric | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for name, path in HEADLINE:
        cells = []
        for s in systems:
            value = _dig(metrics[s], path)
            cells.append(f"{value:.3f}" if isinstance(value, (int, float)) else "-")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def model_card(metadata: dict[str, Any]) -> str:
    data = metadata["training_data"]
    schema = metadata["label_schema"]
    metrics = metadata.get("metrics") or {}
    evaluation = (f"Measured on split `{metrics['split']}` ({metrics['n']} records) by "
                  f"`motion-outcome train` (same numbers: `motion-outcome evaluate --split {metrics['split']}`).\n\n"
                  + _table(metrics)) if metrics else "No held-out split was evaluated."
    return f"""# Model card: motion-outcome `{{model_version}}`

## What it does
Reads a U.S. court decision on a motion and predicts what the court did with the motion
(disposition), the grounds it cites (reasons, multi-label), and the motion type, with calibrated
probabilities, the sentences that support each answer, and a `needs_review` flag.

Label schema `{schema['name']}`:
- disposition: {', '.join(schema['disposition']['labels'])}
- reasons: {', '.join(schema['reasons']['labels'])}
- motion type: {', '.join(schema['motion_type']['labels'])}

## Training data
- source: `{data['source']}`, split `{data['split']}`: {data['records']} records (sha256 `{data['sha256'][:16]}…`)
- seed {metadata['seed']}; trained in {metadata['training_seconds']} s
- review threshold (top disposition probability; chosen on out-of-fold predictions for
  {metadata.get('review_target', 0.98):.0%} accuracy of unflagged predictions): {metadata['review_threshold']}

## Evaluation
{evaluation}

## Intended use and limits
- For research coding of decisions with human review of flagged records; not legal advice.
- Trained mostly on the openings (about 2,000 characters) of federal district-court decisions on
  compassionate release and related motions; other courts, motion types and eras are less certain.
- `needs_review` marks the predictions to check; the unflagged ones are the ones measured above.
- Labels carry noise (one reader per record); rare reasons rest on few examples.

## Reproduce
`motion-outcome train --corpus {data['source']} --out <dir> --seed {metadata['seed']}`
"""
