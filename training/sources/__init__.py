"""Where decisions come from: a folder of files, CourtListener (REST API or bulk CSV), an existing
corpus. Each source yields ``SourceDocument``s, or ``CorpusError``s for what it could not read."""
