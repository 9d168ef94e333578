"""Search: text analysis, vector codes, the index writer and its Python reader."""
