"""The indexes, derived from the store and rebuildable from it: keyword (tantivy), vectors (FAISS), search."""
