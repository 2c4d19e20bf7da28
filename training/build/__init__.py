"""Turning raw decisions (files, CourtListener) into a corpus file: clean-up, de-duplication, provenance."""
