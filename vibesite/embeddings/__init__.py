"""The embeddings file (one store owns its tables), the embed stage and related articles."""
