"""The browser search modules' own unit tests (``node --test tests/js/``), and their fixtures:
what the Python search functions give, written by tools/js_fixtures.py and committed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _sitebuild import REPO

FIXTURES = REPO / "tests" / "js" / "fixtures"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_fixtures_are_what_python_gives_now(tmp_path: Path) -> None:
    """A change to the Python side that the fixtures do not show fails here: rerun
    ``python tools/js_fixtures.py`` (then the node tests say whether the JS still agrees)."""
    done = subprocess.run([sys.executable, str(REPO / "tools" / "js_fixtures.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    fresh, committed = _files(tmp_path), _files(FIXTURES)
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"stale fixtures {stale}: run python tools/js_fixtures.py"
    assert len(fresh) >= 8 and "index/search/manifest.json" in fresh


def test_node_unit_tests_of_the_search_modules_pass() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):  # CI has Node.js (.ci/run): never skip silently there
            pytest.fail("node is not installed")
        pytest.skip("Node.js is not installed (apt-get install nodejs)")
    # the files, not the folder: Node 22+ would load a folder as a module
    tests = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests/js").glob("*.test.mjs"))
    done = subprocess.run([node, "--test", *tests], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    passed = re.search(r"^# pass (\d+)$", report, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 40, report[-2000:]
    assert re.search(r"^# fail 0$", report, re.MULTILINE), report[-2000:]
