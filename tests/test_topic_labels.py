"""Topic labels a reader can tell apart: no two topics share a label, in a level or across the
two; config names win; records with almost no prose are told apart by their title words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from _sitebuild import FakeEmbedder, build_quiet, write_files
from test_topic_map import VOCAB
from test_topic_map import corpus as eight_folders
from test_topic_pages import corpus, topics_data

from vibesite.config import Config, load_config
from vibesite.topics.distinct import distinct_labels, label_key

ACQUISITION = [  # a broad area about buying
    "Acquisition services and contracting officers",
    "Contracting officers buy services through acquisition vehicles",
    "Acquisition services help agencies write contracts",
    "A contracting officer signs acquisition contracts",
]
SCHEDULES = [  # a fine topic elsewhere about the same, with words of its own
    "Acquisition services: the schedules program",
    "The schedules program lists vendors of acquisition services",
    "Vendors join the schedules program for acquisition services",
    "Acquisition services buy from schedules program vendors",
]
LOGOS_A = ["GSA logo", "GSA seal", "GSA logo in white", "GSA star mark"]
LOGOS_B = ["NASA logo", "NASA meatball", "NASA logo in blue", "NASA worm"]
RECORDS = ["source_va", "source_cdc", "source_gsa", "source_nasa"]  # no prose at all
SAME = ["Weekly notes", "Weekly notes", "Weekly notes", "Weekly notes"]


def _texts(*groups: list[str]) -> tuple[list[str], list[np.ndarray]]:
    texts, members, start = [], [], 0
    for group in groups:
        texts += group
        members.append(np.arange(start, start + len(group)))
        start += len(group)
    return texts, members


def test_a_fine_topic_is_told_apart_from_a_broad_one_of_another_area() -> None:
    texts, members = _texts(ACQUISITION, SCHEDULES)
    labels = distinct_labels(texts, ["Acquisition Services"] * 2, members, broad=[True, False],
                             fixed=[False, False])
    assert labels == ["Acquisition Services", "Acquisition Services: vendors"]


def test_a_broad_topic_named_as_its_own_fine_topic_takes_its_next_one_too() -> None:
    texts, members = _texts(LOGOS_A, LOGOS_B)
    members += [np.arange(8), np.arange(8)]
    # broad "Logos" holds fine "Logos" and "NASA" (the largest first): the fine keeps its label
    labels = distinct_labels(texts, ["Logos", "NASA", "Logos", "Seals"], members,
                             broad=[False, False, True, True], fixed=[False] * 4,
                             parents=[2, 2, -1, -1])
    assert labels == ["Logos", "NASA", "Logos and NASA", "Seals"]
    # a label of one term before the first term of a longer one (18F's "Open Source")
    labels = distinct_labels(texts, ["Open Source", "Join and Presidential Innovation",
                                     "Hackathons", "Open Source"], members,
                             broad=[False, False, False, True], fixed=[False] * 4,
                             parents=[3, 3, 3, -1])
    assert labels[3] == "Open Source and Hackathons" and labels[0] == "Open Source"
    # a widened label longer than one map line keeps the broad label; the fine one is qualified
    long = "Windows.ai.machinelearning"
    labels = distinct_labels(texts, [long, f"{long}.preview", long], members[:2] + [np.arange(8)],
                             broad=[False, False, True], fixed=[False] * 3, parents=[2, 2, -1])
    assert labels[2] == long and labels[0].startswith(f"{long}: ")
    assert labels[1] == f"{long}.preview"


def test_records_without_prose_are_told_apart_by_their_title_words() -> None:
    # a broad "Sources" holding two fine "Sources" (logo records: a title and nothing else)
    texts, members = _texts(LOGOS_A, LOGOS_B)
    members.append(np.arange(8))
    labels = distinct_labels(texts, ["Sources"] * 3, members, broad=[False, False, True],
                             fixed=[False] * 3)
    assert labels == ["Sources: GSA", "Sources: NASA", "Sources"]
    assert len({label_key(x) for x in labels}) == 3
    # titles written as record names, no other words: the most central record's name part
    texts, members = _texts(RECORDS, LOGOS_B)
    labels = distinct_labels(texts, ["Sources"] * 2, members, broad=[False, False],
                             fixed=[False, False])
    assert labels == ["Sources: va", "Sources: logo"]


def test_topics_of_one_level_all_get_a_qualifier_and_stay_within_four_words() -> None:
    texts, members = _texts(LOGOS_A, LOGOS_B)
    labels = distinct_labels(texts, ["Logos and seals"] * 2, members, broad=[False, False],
                             fixed=[False, False])
    assert labels == ["Logos and seals: GSA", "Logos and seals: NASA"]
    labels = distinct_labels(texts, ["Media: logos and seals"] * 2, members,
                             broad=[False, False], fixed=[False, False])
    assert labels == ["Media: GSA", "Media: NASA"]  # "Media: logos and seals and GSA" is long
    for label in labels:
        assert 1 <= len(label.split()) <= 4


def test_its_own_name_comes_first_and_a_long_label_gives_way_to_the_qualifier() -> None:
    texts, members = _texts(ACQUISITION, SCHEDULES)
    labels = distinct_labels(texts, ["Acquisition Services"] * 2, members, broad=[True, False],
                             fixed=[False, False],
                             terms=[("acquisition services",), ("vendors", "schedules program")])
    assert labels == ["Acquisition Services", "Acquisition Services: vendors"]
    labels = distinct_labels(texts, ["Acquisition Services"] * 2, members, broad=[True, False],
                             fixed=[False, False], terms=[(), ("schedules program", "vendors")])
    assert labels[1] == "Acquisition Services: schedules program"
    # a term of its name that the other topic's articles use as much tells nothing
    labels = distinct_labels(texts, ["Acquisition Services"] * 2, members, broad=[True, False],
                             fixed=[False, False], terms=[(), ("services acquisition",)])
    assert labels[1] == "Acquisition Services: vendors"
    long = "Communication Tools And Practices"  # a tag of 18F's blog
    labels = distinct_labels(texts, [long] * 2, members, broad=[True, False],
                             fixed=[False, False], terms=[(), ("schedules program",)])
    assert labels == [long, "Schedules program"]


def test_config_names_win_and_two_alike_are_kept() -> None:
    texts, members = _texts(LOGOS_A, LOGOS_B)
    # a config name equal to an automatic label: the automatic one is told apart
    assert distinct_labels(texts, ["Logos", "logos"], members, broad=[False, False],
                           fixed=[False, True]) == ["Logos: GSA", "logos"]
    # two config names alike: the user's choice (topics.checks warns)
    assert distinct_labels(texts, ["Logos", "Logos"], members, broad=[False, False],
                           fixed=[True, True]) == ["Logos", "Logos"]


def test_a_number_only_when_nothing_tells_them_apart() -> None:
    texts, members = _texts(SAME, SAME, SAME)
    labels = distinct_labels(texts, ["Notes"] * 3, members, broad=[False] * 3, fixed=[False] * 3)
    assert labels == ["Notes", "Notes (2)", "Notes (3)"]
    # a qualified label never takes the label of a third topic
    texts, members = _texts(LOGOS_A, LOGOS_B, SAME)
    labels = distinct_labels(texts, ["Sources", "Sources", "Sources: GSA"], members,
                             broad=[False] * 3, fixed=[False] * 3)
    assert len({label_key(x) for x in labels}) == 3 and labels[2] == "Sources: GSA"


def test_built_site_config_names_win_and_two_alike_are_warned(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    write_files(tmp_path / "content", corpus())
    (tmp_path / "vibesite.toml").write_text(
        'title = "T"\n'
        'base_url = "https://example.org/"\n'
        "[topic_names]\n"
        'git = "Python"\n'  # the automatic label of another topic: that one is told apart
        'vim = "Editors"\n'
        'postgres = "editors"\n', encoding="utf-8")  # two alike: kept, and warned
    config = load_config(tmp_path / "vibesite.toml")
    result = build_quiet(config, fake_embedder)
    assert [str(d) for d in result.diagnostics] == [
        "vibesite.toml:6: warning: [topic_names] 'postgres' is named 'editors' as "
        "[topic_names] 'vim' is; readers cannot tell the two topics apart [topic-name-shared]"]
    names = {t["slug"]: t["name"] for t in topics_data(config)["topics"]}
    assert names == {"git": "Python", "python": "Python: pandas import", "vim": "Editors",
                     "postgres": "editors"}


def test_built_site_no_broad_topic_shares_a_label_with_a_fine_one(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    # eight folders, one fine topic each; half the articles of the broad topic holding "bikes"
    # are in bikes/, so it was "Bikes" too: it takes its next fine topic's name
    config = make_site(eight_folders())
    build_quiet(config, fake_embedder)
    data = topics_data(config)
    fine = sorted(t["name"] for t in data["topics"])
    assert fine == sorted(folder.title() for folder in VOCAB)
    assert [b["name"] for b in data["broad"]] == [
        "Garden and Postgres", "Bikes and Python", "Bread and Git"]
