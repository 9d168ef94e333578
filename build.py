"""Build the site: ``python build.py [--content DIR] [--output DIR] ...`` (= ``vibesite build``)."""

from vibesite.cli import build_main

if __name__ == "__main__":
    raise SystemExit(build_main())
