"""Training side of motion-outcome: read a corpus, split it, train, evaluate, and the CLI."""
