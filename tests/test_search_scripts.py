"""The search modules under content-hashed names (vibesite/site/scripts.py), in real builds."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from _sitebuild import REPO, FakeEmbedder, build_quiet, write_files

from vibesite.config import Config
from vibesite.diagnostics import BuildError
from vibesite.search.index import HASH_CHARS
from vibesite.site.scripts import SEARCH_ENTRY, hash_scripts

THEME_MODULES = REPO / "templates" / "static" / "search"
HASHED = re.compile(rf"(?P<stem>[\w-]+)\.(?P<hash>[0-9a-f]{{{HASH_CHARS}}})\.js")


def modules(root: Path, files: dict[str, str]) -> list[tuple[Path, str]]:
    """``files`` (name -> text) written under root, as static pairs of static/search/."""
    write_files(root, files)
    return [(root / name, f"static/search/{name}") for name in sorted(files)]


def test_imports_are_rewritten_to_hashed_names_and_hashes_follow_dependencies(
        tmp_path: Path) -> None:
    files = {
        "main.js": 'import { a } from "./a.js";\nimport "./b.js";\n'
                   'export { c } from "./lib/c.js";\nconst d = () => import("./d.js");\n',
        "a.js": "import { c } from './lib/c.js';\nexport const a = c + 1;\n",
        "b.js": "console.log('b');\n",
        "lib/c.js": 'import { e } from "../e.js";\nexport const c = e;\n',
        "d.js": "export default 4;\n",
        "e.js": "export const e = 1;\n",
        "unused.js": "not imported by anything\n",
    }
    static = [*modules(tmp_path / "v1", files), (tmp_path / "v1/style.css", "static/style.css")]
    first = hash_scripts(static)
    names = first.names
    assert set(names) == {f"static/search/{n}" for n in files if n != "unused.js"} | {
        "static/search.js"}
    assert names["static/search.js"] == names[SEARCH_ENTRY]
    assert names["static/search/lib/c.js"].startswith("static/search/lib/c.")
    for path, hashed in names.items():
        assert hashed in first.files, path
    main = first.files[names[SEARCH_ENTRY]].decode()
    a_name, b_name, d_name = (Path(names[f"static/search/{n}.js"]).name for n in "abd")
    c_name = Path(names["static/search/lib/c.js"]).name
    assert main == (f'import {{ a }} from "./{a_name}";\nimport "./{b_name}";\n'
                    f'export {{ c }} from "./lib/{c_name}";\n'
                    f'const d = () => import("./{d_name}");\n')
    e_name = Path(names["static/search/e.js"]).name
    assert first.files[names["static/search/lib/c.js"]].decode() == (
        f'import {{ e }} from "../{e_name}";\nexport const c = e;\n')
    assert first.files[names["static/search/a.js"]].decode().startswith(
        f"import {{ c }} from './lib/{c_name}';\n")  # single quotes stay single
    assert [dest for _, dest in first.static] == ["static/search/unused.js", "static/style.css"]
    # what a page preloads: every static import, however deep; not the lazy import("./d.js")
    assert first.imports[SEARCH_ENTRY] == tuple(sorted(
        names[f"static/search/{n}"] for n in ("a.js", "b.js", "lib/c.js", "e.js")))
    assert first.imports["static/search/a.js"] == tuple(sorted(
        names[f"static/search/{n}"] for n in ("lib/c.js", "e.js")))

    # a change deep down renames the module, every module that imports it, and the entry
    files["e.js"] = "export const e = 2;\n"
    second = hash_scripts(modules(tmp_path / "v2", files))
    changed = {path for path in names if path != "static/search.js"
               and second.names[path] != names[path]}
    assert changed == {"static/search/e.js", "static/search/lib/c.js", "static/search/a.js",
                       SEARCH_ENTRY}
    assert second.names["static/search/b.js"] == names["static/search/b.js"]


def test_an_import_cycle_or_a_missing_module_stops_the_build(tmp_path: Path) -> None:
    cycle = modules(tmp_path / "cycle", {
        "main.js": 'import "./a.js";\n',
        "a.js": '// a\nimport { b } from "./b.js";\n',
        "b.js": 'import { a } from "./a.js";\n'})
    with pytest.raises(BuildError) as caught:
        hash_scripts(cycle)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.path, diagnostic.line) == (str(tmp_path / "cycle/b.js"), 1)
    assert "cycle" in diagnostic.message and diagnostic.code == "script-import"

    missing = modules(tmp_path / "missing", {"main.js": '\n\nimport { x } from "./gone.js";\n'})
    with pytest.raises(BuildError) as caught:
        hash_scripts(missing)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.path, diagnostic.line) == (str(tmp_path / "missing/main.js"), 3)
    assert "static/search/gone.js" in diagnostic.message


def test_no_entry_no_change(tmp_path: Path) -> None:
    static = modules(tmp_path, {"other.js": 'import "./x.js";\n'})
    assert hash_scripts(static).static == tuple(static)
    assert hash_scripts(static).files == {}


@pytest.fixture
def search_site(make_site: Callable[..., Config]) -> Config:
    return make_site("two-posts", search=True)


def linked_entry(site: Path) -> str:
    html = (site / "first/index.html").read_text()
    [src] = re.findall(r'<script type="module" src="([^"]+)"></script>', html)
    return src


def test_the_built_site_links_the_hashed_entry_and_every_import_resolves(
        search_site: Config) -> None:
    build_quiet(search_site, FakeEmbedder())
    out = search_site.output_dir
    src = linked_entry(out)
    assert re.fullmatch(r"/static/search/main\.[0-9a-f]{10}\.js", src), src
    written = sorted(p.relative_to(out / "static/search").as_posix()
                     for p in (out / "static/search").glob("*.js"))
    theme = sorted(p.stem for p in THEME_MODULES.glob("*.js"))
    assert sorted(HASHED.fullmatch(name)["stem"] for name in written) == theme  # all, hashed
    assert not (out / "static/search.js").exists()
    for name in written:
        text = (out / "static/search" / name).read_text()
        for spec in re.findall(r'(?:from |import\()"(\./[^"]+)"', text):
            assert HASHED.fullmatch(spec[2:]) and (out / "static/search" / spec[2:]).is_file()
    # every module but the entry and the lazy ones is preloaded, so no request waits for the
    # one before it; the worker's module (new URL("./encoder-worker.js", import.meta.url)), the
    # encoder's (import("./encoder.js"), with the model) and the highlight's (a page opened
    # from a result) are not on the way to the search page's first list
    lazy = ("encoder-worker.", "encoder.", "model.", "highlight.")
    page = (out / "index.html").read_text()
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    assert preloads == [f"/static/search/{name}" for name in written
                        if name != src.rsplit("/")[-1] and not name.startswith(lazy)]
    assert all(any(name.startswith(prefix) for name in written) for prefix in lazy)


def test_a_sites_own_module_overrides_the_themes_and_renames_its_importers(
        search_site: Config) -> None:
    build_quiet(search_site, FakeEmbedder())
    out = search_site.output_dir
    before = {HASHED.fullmatch(p.name)["stem"]: p.name for p in (out / "static/search").iterdir()}
    ui = (THEME_MODULES / "ui.js").read_text().replace('word("unavailable")', '"Nothing found"')
    write_files(search_site.static_dir, {"search/ui.js": ui})
    build_quiet(search_site, FakeEmbedder())
    after = {HASHED.fullmatch(p.name)["stem"]: p.name for p in (out / "static/search").iterdir()}
    assert {stem for stem in before if before[stem] != after[stem]} == {"ui", "main"}
    assert '"Nothing found"' in (out / "static/search" / after["ui"]).read_text()
    assert linked_entry(out) == f"/static/search/{after['main']}"


def test_a_base_html_of_before_the_split_still_links_the_hashed_entry(
        search_site: Config) -> None:
    """A site's own copy of the old base.html says asset('static/search.js')."""
    theme = (REPO / "templates" / "base.html").read_text()
    assert "asset('static/search/main.js')" in theme
    write_files(search_site.templates_dir,
                {"base.html": theme.replace("static/search/main.js", "static/search.js")})
    build_quiet(search_site, FakeEmbedder())
    src = linked_entry(search_site.output_dir)
    assert re.fullmatch(r"/static/search/main\.[0-9a-f]{10}\.js", src), src
    assert (search_site.output_dir / src.lstrip("/")).is_file()


def test_imports_in_comments_are_not_imports(tmp_path: Path) -> None:
    files = {
        "main.js": '// import { old } from "./gone.js";\n'
                   '/* an old version:\n   import "./also-gone.js";\n*/\n'
                   'const url = "http://example.org/x"; // a string holding // is not a comment\n'
                   'import { a } from "./a.js"; // import "./gone.js" after code\n'
                   'import "./missing.js";\n',
        "a.js": "export const a = 1;\n",
    }
    with pytest.raises(BuildError) as caught:  # the only real import of a missing file: line 7
        hash_scripts(modules(tmp_path / "one", files))
    assert [(d.line, d.code) for d in caught.value.diagnostics] == [(7, "script-import")]
    assert "missing.js" in caught.value.diagnostics[0].message
    files["main.js"] = files["main.js"].replace('import "./missing.js";\n', "")
    hashed = hash_scripts(modules(tmp_path / "two", files))
    main = hashed.files[hashed.names[SEARCH_ENTRY]].decode()
    a_name = Path(hashed.names["static/search/a.js"]).name
    assert main == files["main.js"].replace('"./a.js"', f'"./{a_name}"')  # comments untouched
    assert hashed.imports[SEARCH_ENTRY] == (hashed.names["static/search/a.js"],)


def test_pages_name_the_manifest_by_its_hash_and_the_search_page_preloads_it(
        search_site: Config) -> None:
    """The search page's first list waits on the manifest: it loads beside the modules (one
    round trip less), under a URL that changes with its content, so the browser may keep it."""
    build_quiet(search_site, FakeEmbedder())
    out = search_site.output_dir
    manifest = (out / "search/manifest.json").read_bytes()
    named = f"/search/manifest.json?v={hashlib.sha256(manifest).hexdigest()[:10]}"
    for page in ("index.html", "first/index.html", "search/index.html"):
        html = (out / page).read_text()
        assert f'<meta name="vibesite-search" content="{named}">' in html, page
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin>',
                          (out / "search/index.html").read_text())
    assert preloads == [named]
    assert 'rel="preload"' not in (out / "first/index.html").read_text()
