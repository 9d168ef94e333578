"""Topic names: prose only, no code or filler, phrases, a shared folder or tag, display case."""

from __future__ import annotations

import numpy as np

from vibesite.topics.groups import article_groups
from vibesite.topics.naming import name_topics, prose_text, stems, words_of

GIT = [
    "Interactive rebase in Git",
    "Squash commits with an interactive rebase before you push the branch",
    "An interactive rebase rewrites the branch history of Git commits",
    "Reword a commit message during the interactive rebase of a Git branch",
]
VIM = [
    "Split windows in Vim",
    "Vim opens a split window for every buffer you ask for",
    "Move between split windows of Vim with the window commands",
    "Close every other split window in Vim and keep one buffer",
]

OTHER = [  # a third topic, so that words of one topic are rare on the site
    "Bake sourdough bread", "Proof the dough overnight", "Score the loaf before baking",
    "Steam helps the crust", "Feed the starter daily", "Flour and water ratios",
]
CLASSES = [np.arange(4), np.arange(4, 8), np.arange(8, 14)]


def test_prose_text_drops_code_blocks_inline_code_and_markup() -> None:
    body = ('<p>Use <code>git_rebase_helper</code> for <em>interactive</em> work.</p>\n'
            '<div class="highlight"><pre><span>def</span> self.frobnicate()</pre></div>'
            '<p>Caf&eacute; &amp; more</p>')
    text = prose_text("Interactive rebase", body)
    assert "git_rebase_helper" not in text and "frobnicate" not in text and "def" not in text
    assert text.startswith("Interactive rebase") and "Café & more" in text and "<" not in text


def test_words_of_leaves_out_code_like_tokens_and_breaks_phrases_there() -> None:
    runs = words_of("Call fooBar or foo_bar, then run --force on src/app.py and "
                    "https://example.com/x with the Interactive Rebase")
    flat = [w for run in runs for w in run]
    assert not {"fooBar", "foo_bar", "--force", "src/app.py", "example"} & set(flat)
    assert ["with", "the", "Interactive", "Rebase"] in runs
    assert ["Call"] in runs  # a dropped token ends the run: no phrase spans it


def test_stems_are_snowball_english() -> None:
    assert stems("Rebasing branches") == stems("rebase branch") == ("rebas", "branch")
    assert stems("queries") == stems("query")


def test_names_are_phrases_from_prose_without_stop_words_or_filler() -> None:
    names = name_topics(GIT + VIM + OTHER, CLASSES)
    git, vim, _ = names
    assert git.label == "Interactive rebase" and "interactive rebase" in git.terms
    assert vim.label.startswith("Split window")
    for name in names:
        words = name.label.lower().split()
        assert 1 <= len(words) <= 4
        assert not {"the", "every", "use", "with"} & set(words)
    # no two terms of a name share a stem ("window" and "windows")
    for name in names:
        all_stems = [s for t in name.terms for s in stems(t)]
        assert len(all_stems) == len(set(all_stems))


def test_a_folder_or_tag_shared_by_half_the_topic_names_it_display_cased() -> None:
    texts = [*GIT, *VIM, "More Postgres tuning", "PostgreSQL vacuum notes"]
    groups = [("git",)] * 4 + [("vim",), ("vim",), ("editors",), ("editors",)] + [
        ("postgresql",), ("postgresql",)]
    classes = [np.arange(4), np.arange(4, 8), np.arange(8, 10)]
    git, vim, pg = name_topics(texts, classes, groups=groups)
    assert git.label == "Git"
    assert vim.label == "Editors"  # a tie: the name first in order wins
    assert pg.label == "PostgreSQL"  # as the prose writes it
    assert article_groups("git/rebase.md", ["Rebase", ""]) == ("git/", "Rebase")
    texts = ["Agile teams plan sprints", "Sprint planning for agile teams",
             "Retrospectives of agile teams", "Agile teams estimate work"]
    _, tagged = name_topics([*GIT, *texts], [np.arange(4), np.arange(4, 8)],
                            groups=[("git",)] * 4 + [("product-and-project-management",)] * 4)
    assert tagged.label.startswith("Product and Project Management")  # small words lower case
    assert article_groups("top.md", []) == ()


def test_a_folder_most_of_the_site_shares_names_nothing_and_a_folder_shows_its_last_part(
        ) -> None:
    # Jekyll keeps every post in _posts/: no topic is "Posts", each is named by its prose
    names = name_topics(GIT + VIM + OTHER, CLASSES, groups=[("_posts/",)] * 14)
    assert [n.label.split(" ")[0] for n in names[:2]] == ["Interactive", "Split"]
    assert not any("Posts" in n.label for n in names)
    # a folder inside another shows its own name; a year folder names nothing
    groups = [("content/inside-rust/",)] * 4 + [("2021/",)] * 4 + [("content/",)] * 6
    git, vim, _ = name_topics(GIT + VIM + OTHER, CLASSES, groups=groups)
    assert git.label == "Inside Rust"
    assert not vim.label.startswith("2021")


def test_topics_sharing_a_folder_are_told_apart() -> None:
    # notes/ holds 8 of the site's 20 articles, and all of both topics (lift 2.5)
    classes = [*CLASSES[:2], np.arange(8, 20)]
    names = name_topics(GIT + VIM + OTHER * 2, classes, groups=[("notes/",)] * 8 + [()] * 12)
    assert names[0].label == "Notes: interactive rebase"
    assert names[1].label.startswith("Notes: split window")


def test_a_long_folder_name_and_its_term_give_way_to_the_term_alone() -> None:
    # "How We Work: interactive rebase" would be five words; labels have at most four
    classes = [*CLASSES[:2], np.arange(8, 20)]
    names = name_topics(GIT + VIM + OTHER * 2, classes,
                        groups=[("how-we-work/",)] * 8 + [()] * 12)
    assert [n.label for n in names[:2]] == ["Interactive rebase", "Split window"]
    # two folders that name a broad topic together: the shorter name where both are long
    names = name_topics(GIT + VIM + OTHER * 2, [np.arange(8), np.arange(8, 20)], pairs=True,
                        groups=[("communication-tools-and-practices/",)] * 3
                        + [("design/",)] * 3 + [()] * 14)
    assert names[0].label == "Design"


def test_embedding_closeness_reorders_candidates_and_terms_can_be_kept() -> None:
    texts = GIT + VIM + OTHER
    calls: list[list[str]] = []

    def encode(phrases: list[str]) -> np.ndarray:
        calls.append(phrases)
        # "branch" sits at the topic's centre, everything else far away
        return np.array([[1.0, 0.0] if p == "branch" else [0.0, 1.0] for p in phrases])

    centres = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    names = name_topics(texts, CLASSES, centres=centres, encode=encode)
    assert len(calls) == 1 and calls[0] == sorted(set(calls[0]))  # one batch, sorted
    assert names[0].terms[0] == "branch"
    kept = name_topics(texts, CLASSES, keep=[("git",), None])
    assert kept[0].terms == ("git",) and kept[0].label == "Git"
    gone = name_topics(texts, CLASSES, keep=[("nowhere",), None])
    assert gone[0].terms != ("nowhere",)
