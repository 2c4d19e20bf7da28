"""HTTP service over a saved model: the same prediction contract as ``motion-outcome predict``."""
