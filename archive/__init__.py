"""The corpus: documents, their cleaned text, chunks and duplicate groups, kept in one SQLite store."""
