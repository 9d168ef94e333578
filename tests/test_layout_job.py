"""The map layout in a forked child (topics.layout_job): the same positions as in-process."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_topics import blobs

from vibesite.topics import layout_job
from vibesite.topics.build import build_topics
from vibesite.topics.layout_job import MapLayout, fresh_layout, layout_input
from vibesite.topics.projection import TSNE_MIN, project_2d

CAN_FORK = layout_job._can_fork() and layout_job.usable_cores() > 1
needs_fork = pytest.mark.skipif(not CAN_FORK, reason="forks only with two cores and fork()")


@pytest.fixture
def where_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """project_2d replaced by positions that say which process computed them (a forked child
    inherits the replacement): t-SNE's own cost is left to the slow test."""

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


@needs_fork
def test_a_fresh_layout_is_computed_in_a_child(where_laid_out: None) -> None:
    ids, vecs, texts = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        assert layout.forked
        topics = build_topics(ids, vecs, texts, layout=layout)
        assert layout.result()[0, 0] not in (0.0, float(os.getpid()))
    assert len(topics.coords) == len(ids)
    with MapLayout(vecs, ids, {}, background=False) as inline:
        assert not inline.forked and inline.result()[0, 0] == os.getpid()


@needs_fork
def test_a_dead_child_is_computed_again(where_laid_out: None) -> None:
    ids, vecs, _ = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        assert layout._child is not None
        layout._child.kill()
        assert layout.result()[0, 0] == os.getpid()


@needs_fork
def test_leaving_unasked_stops_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Topics from the memo never ask: the build must not wait for the layout."""
    monkeypatch.setattr(layout_job, "project_2d", lambda *a, **k: os.pause())
    ids, vecs, _ = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        child = layout._child
    assert child is not None and not child.is_alive()


def test_kept_positions_are_placed_in_process(where_laid_out: None) -> None:
    ids, vecs, _ = blobs(per=30)
    previous = {a: (0.5, 0.5) for a in ids[1:]}
    with MapLayout(vecs, ids, previous) as layout:
        assert not layout.forked and layout.result()[0, 0] == os.getpid()


def test_layout_of_other_articles_is_refused() -> None:
    ids, vecs, texts = blobs()
    with MapLayout(vecs, ids[::-1], {}, background=False) as layout, pytest.raises(ValueError):
        build_topics(ids, vecs, texts, layout=layout)


@pytest.mark.slow  # two t-SNE layouts (~10 s each: the FFT grid costs the same at any size)
@needs_fork
def test_child_layout_is_the_in_process_one() -> None:
    ids, vecs, texts = blobs(per=30)
    with MapLayout(vecs, ids, {}) as layout:
        xy = layout.result()
    assert np.array_equal(xy, project_2d(layout_input(vecs), ids, 0, previous={}))
