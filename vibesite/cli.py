"""The command line: ``vibesite build`` (and ``python build.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from vibesite import __version__
from vibesite.buildlock import LockError
from vibesite.config import load_config, with_overrides
from vibesite.diagnostics import BuildError, ConfigError
from vibesite.embeddings.errors import StoreError
from vibesite.model.base import ModelError
from vibesite.pipeline import BuildResult, build
from vibesite.site.write import WriteError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3


def _source_arguments(parser: argparse.ArgumentParser) -> None:
    """What to build: shared by ``build`` and ``serve``."""
    parser.add_argument("--config", type=Path, help="config file (default: ./vibesite.toml)")
    parser.add_argument("--content", type=Path, help="folder of Markdown sources")
    parser.add_argument("--output", type=Path, help="folder to write the site into")
    parser.add_argument("--strict", action="store_true", default=None,
                        help="fail the build on warnings too")
    parser.add_argument("--drafts", action="store_true", default=None, help="include drafts")


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    _source_arguments(parser)
    parser.add_argument("--base-url", help="absolute URL or path the site is served from")
    parser.add_argument("--quiet", action="store_true", help="print errors only")
    parser.add_argument("--rebuild-cache", action="store_true",
                        help="discard the embeddings file and build caches; compute all afresh")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vibesite", description=__doc__)
    parser.add_argument("--version", action="version", version=f"vibesite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _build_arguments(commands.add_parser("build", help="build the site"))
    similar = commands.add_parser("similar", help="articles most similar to one article")
    similar.add_argument("slug", help="the article id, e.g. git/accessing-a-lost-commit")
    similar.add_argument("-n", "--limit", type=int, default=10)
    similar.add_argument("--json", action="store_true", help="one JSON object per line")
    similar.add_argument("--config", type=Path, help="config file (default: ./vibesite.toml)")
    serve = commands.add_parser("serve", help="build, serve locally and rebuild on change")
    _source_arguments(serve)  # serve sets base_url itself: http://127.0.0.1:PORT/
    serve.add_argument("--port", type=int, default=8000)
    search = commands.add_parser(
        "search", help="search the built site with the browser's ranking (keyword + semantic)")
    search.add_argument("query", help="the query, or - to read one query per line from stdin")
    search.add_argument("-n", "--limit", type=int, default=10)
    search.add_argument("--json", action="store_true", help="one JSON object per query")
    search.add_argument("--keyword-only", action="store_true", help="no semantic ranking")
    search.add_argument("--prefix", action="store_true",
                        help="as the browser's search boxes do: the last word, when nothing "
                        "follows it, also matches words that start with it")
    search.add_argument("--site", type=Path, help="the built site (default: output_dir)")
    search.add_argument("--config", type=Path, help="config file (default: ./vibesite.toml)")
    ask = commands.add_parser(
        "ask", help="answer a question from the site's passages through an llm model")
    ask.add_argument("question")
    ask.add_argument("-m", "--model", help="an llm model name (default: ask_model); none: "
                     "print the prompt")
    ask.add_argument("-s", "--system", help="the instruction sent as the system prompt")
    ask.add_argument("-n", "--limit", type=int, default=5, help="passages, at most (default 5)")
    ask.add_argument("--budget", type=int, default=3000,
                     help="estimated tokens of passages in the prompt, at most (default 3000)")
    ask.add_argument("--json", action="store_true", help="one JSON object: answer, passages")
    ask.add_argument("--keyword-only", action="store_true", help="no semantic ranking")
    ask.add_argument("--config", type=Path, help="config file (default: ./vibesite.toml)")
    init = commands.add_parser("init", help="create a new site in a folder")
    init.add_argument("directory", type=Path, nargs="?", default=Path("."))
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.add_argument("--from", dest="old", type=Path, metavar="OLD_SITE",
                      help="write vibesite.toml from a Jekyll, Hugo or Zola site's settings "
                           "(or an Obsidian vault) in this folder, instead of sample articles")
    return parser


class UsageProblem(Exception):
    """Something the user asked for cannot be done as asked (exit code 2)."""


def run_serve(args: argparse.Namespace) -> int:
    from vibesite.commands.serve import serve

    config = with_overrides(load_config(args.config), content_dir=args.content,
                            output_dir=args.output, strict=args.strict, drafts=args.drafts)
    try:
        serve(config, port=args.port)
    except OSError as exc:  # the port is taken, or the output folder cannot be made
        raise UsageProblem(f"cannot serve {config.output_dir} on port {args.port}: "
                           f"{exc.strerror or exc}; free the port or choose another with "
                           "--port, and check that the output folder can be created") from exc
    return EXIT_OK


def run_search(args: argparse.Namespace) -> int:
    from vibesite.search.query import SearchIndexError, SiteSearch, search_json_lines

    site_dir = args.site or load_config(args.config).output_dir
    queries = sys.stdin if args.query == "-" else [args.query]
    semantic = not args.keyword_only
    try:
        if args.json:
            for line in search_json_lines(site_dir, queries, args.limit, semantic=semantic,
                                          prefix=args.prefix):
                print(line, flush=True)
            return EXIT_OK
        search = SiteSearch.load(site_dir)
        for query in queries:
            query = query.rstrip("\r\n")
            hits = search.search(query, args.limit, semantic=semantic, prefix=args.prefix)
            if not hits and query.strip():
                print(f"No results for \u2018{query.strip()}\u2019")
            for rank, hit in enumerate(hits, start=1):
                print(f"{rank:2d}. {hit.title}  /{hit.url}  ({hit.date})")
    except SearchIndexError as exc:
        raise UsageProblem(str(exc)) from exc
    return EXIT_OK


def run_ask(args: argparse.Namespace) -> int:
    from vibesite.commands.ask import INSTRUCTION, AskError, Question, ask
    from vibesite.search.query import SearchIndexError

    config = load_config(args.config)
    if args.limit < 1 or args.budget < 1:
        raise UsageProblem("--limit and --budget must be positive")
    question = Question(args.question, args.model or config.ask_model,
                        args.system or INSTRUCTION, args.limit, args.budget,
                        semantic=not args.keyword_only)
    try:
        ask(config, question, as_json=args.json)
    except (SearchIndexError, FileNotFoundError, AskError) as exc:
        raise UsageProblem(str(exc)) from exc
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from vibesite.commands.init import InitError, init_site

    try:
        written = init_site(args.directory, force=args.force, old=args.old)
    except InitError as exc:
        raise UsageProblem(str(exc)) from exc
    for relative in written:
        print(f"  created {args.directory / relative}")
    if args.old:  # what vibesite.toml says was not carried over
        toml = (args.directory / "vibesite.toml").read_text(encoding="utf-8")
        print("\n".join(line[1:].rstrip() for line in toml.splitlines()
                        if line.startswith("# Not carried") or line.startswith("#   ")))
    print(f"Next: cd {args.directory} && vibesite build   (or vibesite serve)")
    return EXIT_OK


def run_similar(args: argparse.Namespace) -> int:
    from vibesite.commands.similar import UnknownArticle, similar

    try:
        found = similar(load_config(args.config).db_path, args.slug.strip("/"), args.limit)
    except (FileNotFoundError, UnknownArticle) as exc:
        raise UsageProblem(str(exc)) from exc
    for n in found:
        if args.json:
            print(json.dumps({"id": n.id, "url": n.url, "title": n.title,
                              "score": round(n.score, 4)}, ensure_ascii=False))
        else:
            print(f"{n.score:.3f}  {n.id}  {n.title}")
    return EXIT_OK


_BROKEN = ("broken-link", "broken-anchor", "broken-image")  # counted in the summary
LEFT_OUT_LISTED = 10  # files that give no page named in the summary; the rest counted


def _summary(result: BuildResult) -> str:
    left_out = []
    for count, what in ((result.drafts, "draft"), (result.unpublished, "unpublished"),
                        (result.expired, "expired"), (result.headless, "headless")):
        if count:
            left_out.append(f"{count} {what}")
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    total = sum(result.timings.values())
    written = f"{result.files} files" if result.files else "no files (site unchanged)"
    lines = [
        f"Built {result.articles} articles, wrote {written} in {total:.2f}s"
        + (f" (left out: {', '.join(left_out)})" if left_out else ""),
        *(f"  left out: {source} ({why})" for source, why in result.left_out[:LEFT_OUT_LISTED]),
        *([f"  left out: {len(result.left_out) - LEFT_OUT_LISTED} more"]
          if len(result.left_out) > LEFT_OUT_LISTED else []),
        f"Embeddings: {result.embedded_new} new, {result.embedded_changed} changed, "
        f"{result.embeddings_removed} removed, {result.windows_embedded} texts encoded",
        f"Topics: {result.topics} ({result.topic_changes})",
        *([f"Search: {result.search_note}"] if result.search_note else []),
        f"Stages: {stages}",
    ]
    if result.diagnostics:
        broken = [f"{n} {code.replace('-', ' ')}(s)" for code in _BROKEN
                  if (n := sum(d.code == code for d in result.diagnostics))]
        lines.append(f"{len(result.diagnostics)} warning(s)"
                     + (f" ({', '.join(broken)})" if broken else ""))
    return "\n".join(lines)


def run_build(args: argparse.Namespace) -> int:
    config = with_overrides(
        load_config(args.config),
        content_dir=args.content, output_dir=args.output, base_url=args.base_url,
        strict=args.strict, drafts=args.drafts,
    )
    result = build(config, progress=not args.quiet and sys.stderr.isatty(),
                   rebuild_cache=args.rebuild_cache)
    for diagnostic in result.diagnostics:
        print(diagnostic, file=sys.stderr)
    if not args.quiet:
        print(_summary(result))
    return EXIT_OK


COMMANDS = {"build": run_build, "serve": run_serve, "similar": run_similar,
            "search": run_search, "init": run_init, "ask": run_ask}


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; every failure becomes one message and a documented exit code."""
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BuildError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        print(exc, file=sys.stderr)
        return EXIT_CONTENT
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except (UsageProblem, WriteError, LockError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_MODEL


def build_main(argv: Sequence[str] | None = None) -> int:
    """``python build.py [options]``: the same as ``vibesite build [options]``."""
    return main(["build", *(sys.argv[1:] if argv is None else argv)])
