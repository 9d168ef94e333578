"""``python -m vibesite``: the same as the ``vibesite`` command."""

from vibesite.cli import main

raise SystemExit(main())
