"""vibesite.memo: a stage's output is reused exactly while its version and inputs are the same.
Fast: real SQLite in tmp_path, no model."""

from __future__ import annotations

import pickle
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from vibesite.memo import Memo, digest_of

STAGES = ("double", "terms")


class Counted:
    """compute() for a memo, counting its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def rows(path: Path) -> dict[str, object]:
    with sqlite3.connect(path) as conn:
        return {stage: pickle.loads(value) for stage, value in
                conn.execute("SELECT stage, value FROM memo")}


def test_the_same_version_and_inputs_reuse_the_stored_output(tmp_path: Path) -> None:
    memo = Memo(tmp_path / "memo.db", STAGES)
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
    compute = Counted([1, 2])
    assert memo.cached("double", 1, (vectors, 10), compute, list) == [1, 2]
    assert memo.cached("double", 1, (vectors.copy(), 10), compute, list) == [1, 2]
    assert compute.calls == 1
    # a new Memo on the same file: another build
    assert Memo(tmp_path / "memo.db", STAGES).cached("double", 1, (vectors, 10), compute,
                                                      list) == [1, 2]
    assert compute.calls == 1


@pytest.mark.parametrize("change", ["version", "input", "array"])
def test_a_new_version_or_input_computes_again(tmp_path: Path, change: str) -> None:
    memo = Memo(tmp_path / "memo.db", STAGES)
    vectors = np.zeros((2, 3), dtype=np.float32)
    memo.cached("double", 1, (vectors, 10), Counted(["old"]), list)
    version, k = (2, 10) if change == "version" else (1, 11) if change == "input" else (1, 10)
    if change == "array":
        vectors = vectors.copy()
        vectors[1, 2] = 1e-7
    compute = Counted(["new"])
    assert memo.cached("double", version, (vectors, k), compute, list) == ["new"]
    assert compute.calls == 1
    assert rows(tmp_path / "memo.db") == {"double": ["new"]}  # one row per stage


def test_a_stored_value_of_another_kind_or_refused_by_valid_is_computed_again(
        tmp_path: Path) -> None:
    memo = Memo(tmp_path / "memo.db", STAGES)
    memo.cached("double", 1, (), Counted({"a": 1}), dict)
    compute = Counted(["a list"])
    assert memo.cached("double", 1, (), compute, list) == ["a list"]
    compute = Counted(["checked"])
    assert memo.cached("double", 1, (), compute, list, valid=lambda v: v == ["x"]) == ["checked"]
    assert compute.calls == 1


def test_a_damaged_or_unreadable_memo_is_only_a_slower_build(tmp_path: Path) -> None:
    path = tmp_path / "memo.db"
    path.write_bytes(b"not a database at all" * 100)
    compute = Counted(["fresh"])
    memo = Memo(path, STAGES)
    assert memo.cached("double", 1, (), compute, list) == ["fresh"]
    assert compute.calls == 1 and rows(path) == {"double": ["fresh"]}  # a new file
    moved = pickle.dumps(Counted(1), protocol=0).replace(  # protocol 0 names it as text
        f"c{Counted.__module__}\n".encode(), b"cvibesite.gone\n")
    assert moved != pickle.dumps(Counted(1), protocol=0)
    with sqlite3.connect(path) as conn:  # the pickle of a class that moved or no longer exists
        conn.execute("UPDATE memo SET value = ?", (moved,))
    compute = Counted(["again"])
    assert memo.cached("double", 1, (), compute, list) == ["again"] and compute.calls == 1


def test_load_and_save_keep_a_value_under_the_stage_version_only(tmp_path: Path) -> None:
    memo = Memo(tmp_path / "memo.db", STAGES)
    assert memo.load("terms", 1) is None
    memo.save("terms", 1, {b"k": ["term"]})
    assert memo.load("terms", 1) == {b"k": ["term"]}
    assert memo.load("terms", 2) is None  # another analysis version: start over


def test_rows_of_stages_no_longer_kept_are_deleted_and_unknown_stages_refused(
        tmp_path: Path) -> None:
    path = tmp_path / "memo.db"
    Memo(path, ("search tokens", "double")).save("search tokens", 1, {"old": 1})
    assert set(rows(path)) == {"search tokens"}
    memo = Memo(path, STAGES)
    memo.cached("double", 1, (), Counted([1]), list)
    assert set(rows(path)) == {"double"}
    with pytest.raises(ValueError, match="not one of"):
        memo.cached("tpyo", 1, (), Counted([1]), list)


def test_digest_of_tells_apart_what_repr_alone_might_not() -> None:
    assert digest_of(b"ab", b"c") != digest_of(b"a", b"bc")  # lengths are part of it
    assert digest_of(np.zeros(2, np.float32)) != digest_of(np.zeros(2, np.float64))
    assert digest_of("x", 1) == digest_of("x", 1)


@dataclass
class Output:
    a: int


def test_an_output_class_that_gained_a_field_is_computed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = Memo(tmp_path / "memo.db", STAGES)
    memo.cached("double", 1, (), lambda: Output(1), Output)
    same = Counted(Output(2))
    assert memo.cached("double", 1, (), same, Output) == Output(1) and same.calls == 0

    @dataclass
    class Newer:  # the same class in a newer release, with one more field
        a: int
        b: int = 0

    Newer.__qualname__ = Newer.__name__ = "Output"
    monkeypatch.setattr(sys.modules[__name__], "Output", Newer)
    newer = Counted(Newer(3, 4))
    assert memo.cached("double", 1, (), newer, Newer) == Newer(3, 4) and newer.calls == 1
