"""Refresh ``vibesite/vendor/``: the pinned third-party JavaScript that in-browser search and
diagrams use.

    python tools/vendor_js.py            # fetch, check, and replace vibesite/vendor/
    python tools/vendor_js.py --check    # only verify the files in place against VERSIONS.json

Needs Node.js and npm (run by hand when a pin changes, never at build time: the vendored files
ship inside the Python package so that ``pip install vibesite`` needs no Node.js). For each pin
it runs ``npm pack <name>@<version>`` in a temporary folder, checks the tarball's integrity
against the pinned one, and copies only the files the browser needs (no source maps, no other
WASM variants), with the package's license, into ``vibesite/vendor/<folder>/``. It then writes
``vibesite/vendor/VERSIONS.json`` (name, version, tarball integrity, sha256 of every file).

The site builder copies the search packages' ``vibesite/vendor/<folder>/*`` to
``site/search/vendor/<folder>/``, and mermaid's to ``site/static/vendor/mermaid/`` when a page
has a diagram.

snowball-stemmers 0.6.0 is one 870 kB UMD/CommonJS file with 24 languages; the browser needs
only English as an ES module, so ``snowball-english.mjs`` is cut out of it: the shared runtime
(helpers, ``Among``, ``SnowballProgram``, ``SnowballStemmer``) plus the ``englishStemmer`` class,
unchanged, with ES ``export``s of ``newStemmer`` and ``algorithms``. The cut is checked by
stemming a word list with both the original file and the module under Node.js.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "vibesite" / "vendor"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    integrity: str  # npm's sha512 of the tarball
    folder: str  # under vibesite/vendor/
    files: dict[str, str]  # path inside the package -> file name in the folder
    license_file: str | None  # path inside the package, None when the tarball has none
    license_note: str = ""  # written as LICENSE when license_file is None
    transforms: dict[str, str] = field(default_factory=dict)  # file name -> transform name


MIT_ONNXRUNTIME = """\
onnxruntime-web {version} (npm) declares "license": "MIT" but its tarball ships no license
file. This is the LICENSE of its source repository, github.com/microsoft/onnxruntime:

MIT License

Copyright (c) 2018 - present Microsoft Corporation

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

SNOWBALL_LICENSES = """\
snowball-stemmers {version} (npm, by Oleg Mazko) declares "license": "ISC" in its package.json
but its tarball ships no license file. Its source repository, github.com/mazko/jssnowball,
carries the BSD 3-Clause license below; the stemming algorithms it was generated from are
those of the Snowball project (snowballstem.org), under the Snowball (BSD) license.

snowball-english.mjs is an unmodified excerpt of snowball-stemmers.js (the shared runtime
and the English stemmer) with ES module exports added by vibesite's tools/vendor_js.py.

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

PINS = (
    Pin(
        name="onnxruntime-web", version="1.30.0",
        integrity="sha512-q0y+JrrtukXSzsBWEMccVfqX25LRmosXHF+CaRJmg8pZClzcV7svNc4rKY3jL02Vb7QmRMDs1SigqR4CXAfKYQ==",
        folder="onnxruntime-web",
        # The WASM-only ESM build; it imports the Emscripten glue (.mjs) from env.wasm.wasmPaths,
        # which loads the plain SIMD build (threads unused: numThreads = 1).
        files={"dist/ort.wasm.min.mjs": "ort.wasm.min.mjs",
               "dist/ort-wasm-simd-threaded.mjs": "ort-wasm-simd-threaded.mjs",
               "dist/ort-wasm-simd-threaded.wasm": "ort-wasm-simd-threaded.wasm"},
        license_file=None, license_note=MIT_ONNXRUNTIME,
        transforms={"ort.wasm.min.mjs": "strip_source_map"},
    ),
    Pin(
        name="@huggingface/tokenizers", version="0.2.0",
        integrity="sha512-LidMHe1FpcSYH4vcSjXooda34pC0M8m1gmDOv7SQi6Iv+ib1zX7J3sHBCC9/3FPCkn2k1b55FneVqMRxrr99pg==",
        folder="tokenizers",
        files={"dist/tokenizers.min.mjs": "tokenizers.min.mjs"},
        license_file="LICENSE",
    ),
    Pin(
        name="snowball-stemmers", version="0.6.0",
        integrity="sha512-47VTJvsZzEme3VxhbUFc9wR0CX8fYKNMgL7AiBdJcHUrwbmN7htFroeX+8ESIAaoNgwEgwI2wnv1HIcqQqAdcA==",
        folder="snowball-stemmers",
        files={"snowball-stemmers.js": "snowball-english.mjs"},
        license_file=None, license_note=SNOWBALL_LICENSES,
        transforms={"snowball-english.mjs": "snowball_english_esm"},
    ),
    Pin(
        name="mermaid", version="11.17.2",
        integrity="sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg==",
        folder="mermaid",
        # One self-contained script (its dependencies bundled): loaded only by pages with a
        # ```mermaid block (templates/static/theme.js)
        files={"dist/mermaid.min.js": "mermaid.min.js"},
        license_file="LICENSE",
    ),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def strip_source_map(data: bytes) -> bytes:
    """Drop the trailing ``//# sourceMappingURL=`` comment (the .map is not vendored)."""
    text = data.decode("utf-8")
    stripped = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
    return stripped.encode("utf-8")


def _one(pattern: str, text: str) -> re.Match[str]:
    matches = list(re.finditer(pattern, text, flags=re.M))
    if len(matches) != 1:
        raise SystemExit(f"snowball-stemmers: expected one match of {pattern!r}, "
                         f"found {len(matches)}; the file changed, update tools/vendor_js.py")
    return matches[0]


def snowball_english_esm(data: bytes, version: str) -> bytes:
    """The English stemmer of snowball-stemmers.js as a standalone ES module."""
    text = data.decode("utf-8")
    typeof_helper = _one(r"^var _typeof = .*$", text).group(0)
    runtime_start = _one(r"^    exports\.algorithms = algorithms;\n", text).end()
    runtime_end = _one(r"^    var arabicStemmer = function", text).start()
    english_start = _one(r"^    var englishStemmer = function", text).start()
    english_end = _one(r"^    var finnishStemmer = function", text).start()
    module = f"""\
// snowball-stemmers {version} (npm), English only, as an ES module.
// Cut out of snowball-stemmers.js by vibesite's tools/vendor_js.py: the shared runtime and the
// englishStemmer class are unchanged; only these comments and the exports at the end are new.
// Licenses: see LICENSE in this folder.
{typeof_helper}
{text[runtime_start:runtime_end].rstrip()}

{text[english_start:english_end].rstrip()}

export function newStemmer(lng) {{
    if (String(lng).toLowerCase() !== 'english') {{
        throw new Error('this build of snowball-stemmers has only the English stemmer');
    }}
    var stemmer = new englishStemmer();
    return {{
        stem: function stem(word) {{
            stemmer.setCurrent(word);
            stemmer.stem();
            return stemmer.getCurrent();
        }}
    }};
}}

export function algorithms() {{
    return ['english'];
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


def check_snowball(original: Path, module: Path) -> None:
    """Stem CHECK_WORDS with the original CommonJS file and the ES module: they must agree."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is needed to check snowball-english.mjs")
    script = (
        "const orig = require(process.argv[1]).newStemmer('english');\n"
        "import(process.argv[2]).then((m) => {\n"
        "  const esm = m.newStemmer('english');\n"
        "  const words = JSON.parse(process.argv[3]);\n"
        "  const bad = words.filter((w) => orig.stem(w) !== esm.stem(w));\n"
        "  if (bad.length) { console.error('differ: ' + bad.join(' ')); process.exit(1); }\n"
        "  console.log(JSON.stringify(words.map((w) => esm.stem(w))));\n"
        "});\n"
    )
    result = subprocess.run([node, "-e", script, str(original), module.resolve().as_uri(),
                             json.dumps(CHECK_WORDS)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"snowball-english.mjs check failed: {result.stderr.strip()}")
    stems = dict(zip(CHECK_WORDS, json.loads(result.stdout), strict=True))
    if stems["running"] != "run" or stems["organization"] != "organ":
        raise SystemExit(f"snowball-english.mjs stems unexpectedly: {stems}")


def npm_pack(pin: Pin, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed (apt-get install npm)")
    out = subprocess.run([npm, "pack", "--json", f"{pin.name}@{pin.version}"], cwd=workdir,
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)[0]
    tarball = workdir / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != pin.integrity or info.get("integrity") != pin.integrity:
        raise SystemExit(f"{pin.name}@{pin.version}: integrity {digest} is not the pinned "
                         f"{pin.integrity}")
    target = workdir / pin.folder
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def vendor(dest: Path) -> dict:
    versions: dict = {"comment": "written by tools/vendor_js.py; do not edit", "packages": []}
    with tempfile.TemporaryDirectory(prefix="vibesite-vendor-") as tmp:
        staging = Path(tmp) / "vendor"
        staging.mkdir()
        for pin in PINS:
            package = npm_pack(pin, Path(tmp))
            folder = staging / pin.folder
            folder.mkdir()
            for inner, name in pin.files.items():
                data = (package / inner).read_bytes()
                transform = pin.transforms.get(name)
                if transform == "strip_source_map":
                    data = strip_source_map(data)
                elif transform == "snowball_english_esm":
                    data = snowball_english_esm(data, pin.version)
                (folder / name).write_bytes(data)
            if pin.license_file is not None:
                shutil.copyfile(package / pin.license_file, folder / "LICENSE")
            else:
                (folder / "LICENSE").write_text(pin.license_note.format(version=pin.version),
                                                encoding="utf-8")
            if pin.name == "snowball-stemmers":
                check_snowball(package / "snowball-stemmers.js", folder / "snowball-english.mjs")
            files = {p.name: {"sha256": sha256(p.read_bytes()), "bytes": p.stat().st_size}
                     for p in sorted(folder.iterdir())}
            versions["packages"].append({
                "name": pin.name, "version": pin.version, "integrity": pin.integrity,
                "folder": pin.folder, "files": files,
                "from": {name: inner for inner, name in pin.files.items()},
                "changes": {name: t for name, t in pin.transforms.items()},
            })
        (staging / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n",
                                               encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(staging, dest)
    return versions


def check(dest: Path) -> list[str]:
    """Problems with the vendored files: missing, extra or changed (empty when all is well)."""
    problems: list[str] = []
    try:
        versions = json.loads((dest / "VERSIONS.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"cannot read {dest / 'VERSIONS.json'}: {exc}"]
    listed = {"VERSIONS.json"}
    for package in versions["packages"]:
        for name, meta in package["files"].items():
            path = dest / package["folder"] / name
            listed.add(f"{package['folder']}/{name}")
            if not path.is_file():
                problems.append(f"missing {path}")
            elif sha256(path.read_bytes()) != meta["sha256"]:
                problems.append(f"changed {path}")
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest).as_posix()
        if path.is_file() and rel not in listed and "__pycache__" not in rel:
            problems.append(f"not in VERSIONS.json: {path}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the vendored files")
    parser.add_argument("--dest", type=Path, default=VENDOR, help="default: vibesite/vendor")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.dest)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    versions = vendor(args.dest)
    for package in versions["packages"]:
        total = sum(f["bytes"] for f in package["files"].values())
        print(f"{package['name']}@{package['version']}: {len(package['files'])} files, "
              f"{total / 1024:.0f} KiB -> {args.dest / package['folder']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
