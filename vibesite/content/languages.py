"""Languages: which language each page is in, and which pages translate each other.

In: the config's ``language`` (the site's, the default) and ``languages`` (code -> name), each
source's path (``posts/first.fr.md``: a French translation of ``posts/first.md``, as Hugo and
Zola name them) and front matter (``lang``, as Jekyll's polyglot writes it, and Hugo's
``translationKey``); then the parsed articles. Out: per source the path it has in the default
language and the language its name gives; the URL of a page in another language (under
``/LANG/``, the default language at the root, as Hugo and Zola publish them); and each article's
versions, linked both ways, with a warning for a translation with no original
(``[translation-orphan]``) and for two files that are the same version
(``[translation-duplicate]``).

Which file names are translations: with ``languages`` declared, ``name.LANG.md`` for a declared
code (or the default one: Hugo's ``about.en.md`` is ``about.md``); with none declared,
``name.LANG.md`` for a two-letter ISO 639-1 code other than the site's, with an optional region
or script (``fr``, ``pt-br``, ``zh-hans``), only when ``name.md`` is there too (and not ``io``,
Ido, which ends domain names): ``notes.de.md`` alone, or ``crates.io.md``, stays a page of that
name. Front matter ``language`` is read only with ``languages`` declared (``language: go``).

Which pages are versions of one another: those with the same ``translationKey``, else those
with the same path in the default language (``first.md`` and ``first.fr.md``, a bundle's
``index.md`` and ``index.fr.md``, even when a translation has a ``slug`` of its own) or the same
URL in it (two files with one Jekyll ``permalink`` and different ``lang``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from vibesite.content.article import Article, Version
from vibesite.diagnostics import Diagnostics

# The two-letter language codes of ISO 639-1: what a file name's last dot part must be, when
# the config declares no languages, to be read as a language (``notes.js.md`` is not one).
_CODES = ("aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoes"
          "eteufafffifjfofrfygagdglgngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikj"
          "kkklkmknkokrkskukvkwkylalblglilnloltlulvmgmhmimkmlmnmrmsmtmynanbndnengnlnnnonrnv"
          "nyocojomorospapiplpsptqurmrnrorurwsascsdsesgsiskslsmsnsosqsrssstsusvswtatetgthti"
          "tktltntotrtstttwtyugukuruzvevivowawoxhyiyozazhzu")
# less Ido's "io", which ends domain names far more often (crates.io.md, user.github.io.md)
ISO_639_1 = frozenset(_CODES[i:i + 2] for i in range(0, len(_CODES), 2)) - {"io"}
# A language tag as a file name or front matter writes it: a language, then a script (Hans),
# a region (BR, 419) or both.
_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?\Z", re.I)
# What "Read in:" shows for a language the config does not name: its own name for itself.
ENDONYMS = {
    "ar": "العربية", "ca": "Català", "cs": "Čeština", "da": "Dansk", "de": "Deutsch",
    "el": "Ελληνικά", "en": "English", "eo": "Esperanto", "es": "Español", "fa": "فارسی",
    "fi": "Suomi", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "hu": "Magyar",
    "id": "Bahasa Indonesia", "it": "Italiano", "ja": "日本語", "ko": "한국어",
    "nb": "Norsk bokmål", "nl": "Nederlands", "no": "Norsk", "pl": "Polski", "pt": "Português",
    "pt-br": "Português (Brasil)", "ro": "Română", "ru": "Русский", "sv": "Svenska", "th": "ไทย",
    "tr": "Türkçe", "uk": "Українська", "vi": "Tiếng Việt", "zh": "中文", "zh-hans": "简体中文",
    "zh-hant": "繁體中文", "zh-cn": "简体中文", "zh-tw": "繁體中文",
}


def looks_like_tag(code: str) -> bool:
    """``fr``, ``pt-BR``, ``zh-Hans``: a language code (BCP 47's common shapes)."""
    return bool(_TAG.match(code))


@dataclass(frozen=True)
class Languages:
    """The site's languages: ``default`` (the config's ``language``) and the declared ones."""

    default: str
    declared: Mapping[str, str]  # code as written -> name ("" for none)

    def _declared(self, code: str) -> str | None:
        return next((c for c in self.declared if c.lower() == code.lower()), None)

    def is_default(self, code: str) -> bool:
        """``en`` (or ``en-US``, ``en_US``) for a site in ``en-us`` too (Hugo's
        ``languageCode`` beside its ``en``)."""
        low, default = code.lower().replace("_", "-"), self.default.lower().replace("_", "-")
        return low == default or low == default.split("-")[0] or low.split("-")[0] == default

    def known(self, code: str) -> str | None:
        """The code as the site writes it, or None when it is not a language of the site:
        with ``languages`` declared, one of them; with none, any language-code shape."""
        code = code.replace("_", "-")
        if self.is_default(code):
            return self.default
        if self.declared:
            return self._declared(code)
        return code.lower() if looks_like_tag(code) else None

    def name(self, code: str) -> str:
        """The name ``languages`` gives it (or gives its language, for ``en-us``), else its
        own name for itself (ENDONYMS), else the code."""
        for candidate in (code, code.split("-")[0]):
            declared = self._declared(candidate)
            if declared and self.declared[declared]:
                return self.declared[declared]
        return ENDONYMS.get(code.lower()) or ENDONYMS.get(code.lower().split("-")[0]) or code

    def from_file_name(self, relpath: str, sources: Collection[str]) -> tuple[str, str]:
        """``(the path in the default language, the language its name gives or "")``:
        ``posts/first.fr.md`` -> ``("posts/first.md", "fr")``."""
        path = PurePosixPath(relpath)
        stem, dot, code = path.stem.rpartition(".")
        if not dot or not stem:
            return relpath, ""
        plain = (path.parent / (stem + path.suffix)).as_posix()
        if self.declared:
            found = self.known(code)
            return (plain, found) if found else (relpath, "")
        short = code.lower().split("-")[0]
        if (looks_like_tag(code) and short in ISO_639_1 and plain in sources
                and not self.is_default(code)):
            return plain, code.lower()
        return relpath, ""

    def check_name(self, relpath: str, sources: Collection[str],
                   diagnostics: Diagnostics) -> None:
        """A ``[language-unknown]`` warning for ``name.LANG.md`` beside ``name.md`` when LANG
        is a language the declared ``languages`` leave out."""
        path = PurePosixPath(relpath)
        stem, dot, code = path.stem.rpartition(".")
        plain = (path.parent / (stem + path.suffix)).as_posix()
        if (self.declared and dot and stem and looks_like_tag(code) and plain in sources
                and code.lower().split("-")[0] in ISO_639_1 and not self.known(code)):
            diagnostics.warning(relpath, 1, f"'{code}' is not in [languages] of vibesite.toml, "
                                "so this file is a page of its own, not a translation",
                                "language-unknown")


@dataclass(frozen=True)
class PageLanguage:
    """What the parse stage found about one page's language."""

    lang: str  # the page's language as the site writes it; the default language's for it
    keys: tuple[str, ...]  # pages sharing a key are versions of each other
    translation_key: bool  # the keys are its translationKey's
    named: bool  # a translation by its file name or translationKey (an orphan is a warning)
    own_url: bool  # its front matter gives its URL (permalink, url, path)
    line: int  # where the language was given (front matter line, else 1)


def page_language(relpath: str, text: Callable[[str], str], line_of: Callable[[str], int],
                  plain: str, file_lang: str, url_id: str, own_url: bool,
                  languages: Languages, diagnostics: Diagnostics) -> PageLanguage:
    """A page's language (front matter ``lang``, or ``language`` with ``languages`` declared,
    else its file name's, else the site's) and the keys its versions share: its
    ``translationKey``, else both its path in the default language (``plain``, without its
    extension) and ``url_id``, its URL in the default language. ``text(key)``: a front
    matter value as text; an unknown language is a ``[language-unknown]`` warning and the
    page is read as in the site's language."""
    lang, line = file_lang or languages.default, 1
    # ``language`` only where the site declares its languages: elsewhere it is as often a
    # programming language (``language: go``, ``language: ts``)
    for key in ("lang", "language") if languages.declared else ("lang",):
        if value := text(key):
            if found := languages.known(value):
                lang, line = found, line_of(key)
            else:
                known = ", ".join([languages.default, *languages.declared])
                diagnostics.warning(
                    relpath, line_of(key), f"{key} '{value}' is not "
                    + (f"a language of the site ({known}; [languages] in vibesite.toml)"
                       if languages.declared else "a language code such as fr or pt-br")
                    + "; the page is read as in the site's language", "language-unknown")
            break
    translation_key = text("translationKey")
    keys = ((f"key:{translation_key}",) if translation_key else
            (f"path:{PurePosixPath(plain).with_suffix('')}", f"url:{url_id}"))
    return PageLanguage(
        lang, keys, bool(translation_key),
        named=bool(file_lang or translation_key) and not languages.is_default(lang),
        own_url=own_url, line=line)


def _groups(articles: Sequence[Article],
            found: Mapping[str, PageLanguage]) -> dict[str, list[Article]]:
    """Source -> the articles of its group (itself too, in ``articles`` order): the pages
    joined by a shared key, directly or through others."""
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, article in enumerate(articles):
        for key in found[article.source].keys:
            parent[root(i)] = root(first.setdefault(key, i))
    members: dict[int, list[Article]] = defaultdict(list)
    for i, article in enumerate(articles):
        members[root(i)].append(article)
    return {a.source: members[root(i)] for i, a in enumerate(articles)}


def language_ids(articles: Sequence[Article], found: Mapping[str, PageLanguage],
                 languages: Languages, diagnostics: Diagnostics) -> list[Article]:
    """Each page in another language under ``LANG/`` (its own URL, when its front matter gives
    one that no other version has, kept), with its language set; a translation whose key has
    no page in the default language is a ``[translation-orphan]`` warning."""
    groups = _groups(articles, found)
    result = []
    for article in articles:
        info = found[article.source]
        if languages.is_default(info.lang):
            result.append(article)
            continue
        versions = groups[article.source]
        if info.named and not any(languages.is_default(found[a.source].lang) for a in versions):
            diagnostics.warning(
                article.source, info.line, f"'{info.lang}' translation with no original in the "
                f"site's language ({languages.default}); it is published at "
                f"/{_prefixed(article.id, info.lang)}/", "translation-orphan")
        shared = sum(1 for a in versions if a.id == article.id) > 1
        new_id = article.id if info.own_url and not shared else _prefixed(article.id, info.lang)
        result.append(replace(article, id=new_id, lang=info.lang))
    return result


def _prefixed(article_id: str, lang: str) -> str:
    prefix = lang.lower()
    if article_id == prefix or article_id.startswith(prefix + "/"):
        return article_id
    return f"{prefix}/{article_id}" if article_id and article_id != "index" else prefix


def link_versions(articles: Sequence[Article], found: Mapping[str, PageLanguage],
                  languages: Languages, diagnostics: Diagnostics) -> list[Article]:
    """Every article with its versions (itself too: the default language first, then by
    code) and, for a translation, its original's id; a second file for one language and key
    is a ``[translation-duplicate]`` warning (two in the site's language without a
    translationKey are a ``[slug-clash]`` already) and is linked to none."""
    groups: dict[int, dict[str, Article]] = defaultdict(dict)
    joined = _groups(articles, found)
    for article in sorted(articles, key=lambda a: a.source):
        info = found[article.source]
        group = groups[id(joined[article.source])]
        lang = info.lang.lower()
        if lang in group:
            first = group[lang].source
            if info.translation_key or not languages.is_default(lang):
                diagnostics.warning(
                    article.source, info.line, f"{first} is the '{info.lang}' version of this "
                    f"page already; this file is published at /{article.id}/ but not linked "
                    "as a translation (set translationKey, or lang, to tell them apart)",
                    "translation-duplicate")
            continue
        group[lang] = article
    linked: dict[str, Article] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group.values(),
                         key=lambda a: (not languages.is_default(a.lang or languages.default),
                                        (a.lang or languages.default).lower()))
        versions = tuple(Version(a.lang or languages.default, languages.name(a.lang or
                                 languages.default), a.url) for a in ordered)
        original = next((a.id for a in ordered if not a.lang), "")
        for article in ordered:
            linked[article.source] = replace(
                article, versions=versions, original=original if article.lang else "")
    return [linked.get(a.source, a) for a in articles]
