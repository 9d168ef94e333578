"""vibesite: a static-site generator that understands its own content.

``__version__`` is the one place the version is written: the wheel's metadata reads it
(``[tool.hatch.version]`` in pyproject.toml), ``vibesite --version`` prints it, ``vibesite init``
pins it in the Pages workflow it writes, the release workflow checks the ``v*`` tag against it and
a test checks it against the top release of CHANGELOG.md.
"""

__version__ = "0.1.0"
