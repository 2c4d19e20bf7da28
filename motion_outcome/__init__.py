"""motion-outcome: what a court did with a motion, and why, from the decision text."""
