"""The Snowball stemmers of npm ``snowball-stemmers`` as one ES module per language, for
``tools/vendor_js.py``.

In: the package's ``snowball-stemmers.js`` (one 870 kB UMD/CommonJS file with 24 languages) and
the Snowball algorithms the search ships (``vibesite.search.analysis.STEMMERS``: those that stem
exactly like Python ``snowballstemmer`` 2.x). Out: ``snowball-<algorithm>.mjs`` for each, cut out
of the file: the shared runtime (helpers, ``Among``, ``SnowballProgram``, ``SnowballStemmer``)
plus that language's ``<algorithm>Stemmer`` class, unchanged, with ES ``export``s of
``newStemmer`` and ``algorithms``; a site loads only its language's (about 60-110 kB). Each cut
is checked by stemming words with both the original file and the module under Node.js: the
words of ``tests/stem_words/<algorithm>.txt`` (those the parity test uses) when there, and
``CHECK_WORDS``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vibesite.search.analysis import STEMMERS  # noqa: E402

WORD_LISTS = REPO / "tests" / "stem_words"
TRANSFORM = "snowball_esm"  # VERSIONS.json "changes" of each module


def algorithms() -> list[str]:
    """The Snowball algorithms to vendor, sorted."""
    return sorted(set(STEMMERS.values()))


def module_name(algorithm: str) -> str:
    return f"snowball-{algorithm}.mjs"


SNOWBALL_LICENSES = """\
snowball-stemmers {version} (npm, by Oleg Mazko) declares "license": "ISC" in its package.json
but its tarball ships no license file. Its source repository, github.com/mazko/jssnowball,
carries the BSD 3-Clause license below; the stemming algorithms it was generated from are
those of the Snowball project (snowballstem.org), under the Snowball (BSD) license.

Each snowball-<language>.mjs is an unmodified excerpt of snowball-stemmers.js (the shared
runtime and that language's stemmer) with ES module exports added by vibesite's
tools/vendor_snowball.py.

-----------------------------------------------------------------------------
ISC License (as declared by snowball-stemmers {version})

Copyright (c) Oleg Mazko <o.mazko@mail.ru>

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

-----------------------------------------------------------------------------
BSD 3-Clause License (LICENSE of github.com/mazko/jssnowball)

Copyright (c) 2018, Oleg Mazko
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
  list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above copyright notice,
  this list of conditions and the following disclaimer in the documentation
  and/or other materials provided with the distribution.

* Neither the name of the copyright holder nor the names of its
  contributors may be used to endorse or promote products derived from
  this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

-----------------------------------------------------------------------------
The Snowball license (COPYING of github.com/snowballstem/snowball)

Copyright (c) 2001, Dr Martin Porter
Copyright (c) 2004,2005, Richard Boulton
Copyright (c) 2013, Yoshiki Shibukawa
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:

  1. Redistributions of source code must retain the above copyright notice,
     this list of conditions and the following disclaimer.
  2. Redistributions in binary form must reproduce the above copyright notice,
     this list of conditions and the following disclaimer in the documentation
     and/or other materials provided with the distribution.
  3. Neither the name of the Snowball project nor the names of its contributors
     may be used to endorse or promote products derived from this software
     without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
(INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
(INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""



def _one(pattern: str, text: str) -> re.Match[str]:
    matches = list(re.finditer(pattern, text, flags=re.M))
    if len(matches) != 1:
        raise SystemExit(f"snowball-stemmers: expected one match of {pattern!r}, "
                         f"found {len(matches)}; the file changed, update tools/vendor_js.py")
    return matches[0]


def snowball_esm(data: bytes, version: str, algorithm: str) -> bytes:
    """The ``algorithm`` stemmer of snowball-stemmers.js as a standalone ES module (English:
    byte for byte the module vibesite shipped before it had other languages)."""
    text = data.decode("utf-8")
    typeof_helper = _one(r"^var _typeof = .*$", text).group(0)
    runtime_start = _one(r"^    exports\.algorithms = algorithms;\n", text).end()
    runtime_end = _one(r"^    var arabicStemmer = function", text).start()
    starts = sorted(m.start() for m in re.finditer(r"^    var [a-z]+Stemmer = function", text,
                                                     flags=re.M))
    class_start = _one(rf"^    var {algorithm}Stemmer = function", text).start()
    later = [s for s in starts if s > class_start]
    class_end = later[0] if later else _one(r"^    function newStemmer\(lng\)", text).start()
    title = algorithm.capitalize()
    module = f"""\
// snowball-stemmers {version} (npm), {title} only, as an ES module.
// Cut out of snowball-stemmers.js by vibesite's tools/vendor_js.py: the shared runtime and the
// {algorithm}Stemmer class are unchanged; only these comments and the exports at the end are new.
// Licenses: see LICENSE in this folder.
{typeof_helper}
{text[runtime_start:runtime_end].rstrip()}

{text[class_start:class_end].rstrip()}

export function newStemmer(lng) {{
    if (String(lng).toLowerCase() !== '{algorithm}') {{
        throw new Error('this build of snowball-stemmers has only the {title} stemmer');
    }}
    var stemmer = new {algorithm}Stemmer();
    return {{
        stem: function stem(word) {{
            stemmer.setCurrent(word);
            stemmer.stem();
            return stemmer.getCurrent();
        }}
    }};
}}

export function algorithms() {{
    return ['{algorithm}'];
}}
"""
    return module.encode("utf-8")


# Words whose stems exercise every step of the English algorithm, including the special forms.
CHECK_WORDS = (
    "a", "abilities", "able", "abbreviation", "accomplishment", "adding", "added", "agreed",
    "agreement", "alone", "an", "and", "apologizing", "arsenal", "atlas", "bicycles", "bowled",
    "boxing", "bred", "caresses", "cosmos", "communism", "community", "conditional", "consign",
    "controllers", "cried", "crying", "cuties", "dying", "early", "easily", "emergency", "feed",
    "flies", "generously", "gently", "happy", "hopefully", "howe", "idly", "inning",
    "international", "knives", "lying", "meeting", "national", "news", "nationalization",
    "news", "only", "organization", "outing", "ponies", "proceeded", "relational", "rely",
    "running", "saying", "skies", "sky", "succeeding", "tanned", "ties", "tomorrow", "ugly",
    "universal", "universe", "university", "vietnamization", "whose", "yelling", "yes", "youth",
)


def check_words(algorithm: str) -> list[str]:
    """The words a module is checked on: its parity word list (when there) and CHECK_WORDS."""
    listed = WORD_LISTS / f"{algorithm}.txt"
    words = listed.read_text(encoding="utf-8").split() if listed.is_file() else []
    return [*CHECK_WORDS, *words]


def check_snowball(original: Path, folder: Path, names: list[str]) -> None:
    """Stem each language's check words with the original CommonJS file and its ES module:
    they must agree (and English must stem as it always did)."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is needed to check the snowball-<language>.mjs modules")
    script = (
        "const orig = require(process.argv[1]);\n"
        "const jobs = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "(async () => {\n"
        "  const out = {};\n"
        "  for (const [name, url, words] of jobs) {\n"
        "    const esm = (await import(url)).newStemmer(name);\n"
        "    const stemmer = orig.newStemmer(name);\n"
        "    const bad = words.filter((w) => stemmer.stem(w) !== esm.stem(w));\n"
        "    if (bad.length) {\n"
        "      console.error(name + ' differ: ' + bad.join(' '));\n"
        "      process.exit(1);\n"
        "    }\n"
        "    out[name] = words.slice(0, 80).map((w) => esm.stem(w));\n"
        "  }\n"
        "  console.log(JSON.stringify(out));\n"
        "})();\n"
    )
    jobs = [[name, (folder / module_name(name)).resolve().as_uri(), check_words(name)]
            for name in names]
    result = subprocess.run([node, "-e", script, str(original)], input=json.dumps(jobs),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"snowball module check failed: {result.stderr.strip()}")
    stems = dict(zip(CHECK_WORDS, json.loads(result.stdout)["english"], strict=False))
    if stems["running"] != "run" or stems["organization"] != "organ":
        raise SystemExit(f"snowball-english.mjs stems unexpectedly: {stems}")


def write_modules(package: Path, folder: Path, version: str) -> dict[str, str]:
    """Write every ``snowball-<algorithm>.mjs`` into ``folder`` and check them; return their
    names -> the file each was cut from."""
    original = package / "snowball-stemmers.js"
    data = original.read_bytes()
    names = algorithms()
    for name in names:
        (folder / module_name(name)).write_bytes(snowball_esm(data, version, name))
    check_snowball(original, folder, names)
    return {module_name(name): "snowball-stemmers.js" for name in names}
