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
one language as an ES module, so ``tools/vendor_snowball.py`` cuts ``snowball-<language>.mjs``
out of it for each language the search stems (the shared runtime plus that language's class,
unchanged) and checks each cut under Node.js against the original file.
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

import vendor_snowball

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
        # one snowball-<language>.mjs per language the search stems (tools/vendor_snowball.py)
        files={}, license_file=None, license_note=vendor_snowball.SNOWBALL_LICENSES,
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
            sources = {name: inner for inner, name in pin.files.items()}
            changes = dict(pin.transforms)
            for inner, name in pin.files.items():
                data = (package / inner).read_bytes()
                if pin.transforms.get(name) == "strip_source_map":
                    data = strip_source_map(data)
                (folder / name).write_bytes(data)
            if pin.name == "snowball-stemmers":
                sources = vendor_snowball.write_modules(package, folder, pin.version)
                changes = dict.fromkeys(sources, vendor_snowball.TRANSFORM)
            if pin.license_file is not None:
                shutil.copyfile(package / pin.license_file, folder / "LICENSE")
            else:
                (folder / "LICENSE").write_text(pin.license_note.format(version=pin.version),
                                                encoding="utf-8")
            files = {p.name: {"sha256": sha256(p.read_bytes()), "bytes": p.stat().st_size}
                     for p in sorted(folder.iterdir())}
            versions["packages"].append({
                "name": pin.name, "version": pin.version, "integrity": pin.integrity,
                "folder": pin.folder, "files": files,
                "from": sources, "changes": changes,
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
