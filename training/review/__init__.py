"""Human review: rank predictions by how much they need a person (``queue``), write them for a
spreadsheet or labeling tool (``export``), and take the reviewed labels back (``merge``)."""
