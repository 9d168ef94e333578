"""vibesite: a static-site generator that understands its own content."""

__version__ = "0.1.0"
