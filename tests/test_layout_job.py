"""The map layout in a child process (topics.layout_job): the same positions as in-process."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_topics import blobs

from vibesite.topics import layout_job
from vibesite.topics.build import build_topics
from vibesite.topics.layout_job import MapLayout, fresh_layout, layout_input
from vibesite.topics.projection import TSNE_MIN, project_2d

needs_two_cores = pytest.mark.skipif(layout_job.usable_cores() < 2,
                                     reason="a child only when there is a core to spare")


@pytest.fixture
def laid_out_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """project_2d in this process replaced by positions that say which process computed them
    (the child, a fresh interpreter, runs the real one)."""

    def fake(x: np.ndarray, ids: list[str], random_state: int = 0,
             previous: object = None) -> np.ndarray:
        return np.full((len(ids), 2), float(os.getpid()))

    monkeypatch.setattr(layout_job, "project_2d", fake)


def test_fresh_layout_follows_project_2d_rule() -> None:
    ids = [str(i) for i in range(200)]
    assert fresh_layout(ids, {})
    assert not fresh_layout(ids[:TSNE_MIN - 1], {})  # PCA: too small to be worth a child
    assert not fresh_layout(ids, {a: (0.0, 0.0) for a in ids[:198]})  # old positions kept
    assert fresh_layout(ids, {a: (0.0, 0.0) for a in ids[:100]})  # too few kept: t-SNE


@needs_two_cores
def test_a_dead_child_is_computed_here(laid_out_here: None) -> None:
    ids, vecs, _ = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        assert layout.forked and layout._child is not None
        layout._child.kill()
        assert layout.result()[0, 0] == os.getpid()


@needs_two_cores
def test_leaving_unasked_stops_the_child() -> None:
    """Topics from the memo never ask: the build must not wait for the layout."""
    ids, vecs, _ = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        child = layout._child
    assert child is not None and child.returncode is not None


def test_kept_positions_and_no_background_are_placed_here(laid_out_here: None) -> None:
    ids, vecs, _ = blobs(per=30)
    previous = {a: (0.5, 0.5) for a in ids[1:]}
    for layout in (MapLayout(vecs, ids, previous), MapLayout(vecs, ids, {}, background=False)):
        with layout:
            assert not layout.forked and layout.result()[0, 0] == os.getpid()


def test_layout_of_other_articles_is_refused() -> None:
    ids, vecs, texts = blobs()
    with MapLayout(vecs, ids[::-1], {}, background=False) as layout, pytest.raises(ValueError):
        build_topics(ids, vecs, texts, layout=layout)


@pytest.mark.slow  # two t-SNE layouts, ~10 s each
@needs_two_cores
def test_child_layout_is_the_in_process_one() -> None:
    ids, vecs, texts = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        assert layout.forked
        topics = build_topics(ids, vecs, texts, layout=layout)
    assert np.array_equal(layout.result(), project_2d(layout_input(vecs), ids, 0, previous={}))
    assert topics == build_topics(ids, vecs, texts)
