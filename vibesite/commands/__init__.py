"""CLI commands beside ``build``: serve, similar, init."""
