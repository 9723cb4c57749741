#!/usr/bin/python3
"""Assembles the deployable web app in one folder (build/dist):

- the names and colours web/*.js and web/app.css share with the C++ code, generated from the
  C++ definitions by the web build (src/web_contract: page-contract.js, page-theme.css) and
  joined in front of the hand-written files;
- the page (web/index.html) and the credit union's configuration (web/config.json) under their
  own names: they change without a rebuild and are served with `Cache-Control: no-cache`;
- every other file (scripts, style, module, font) under a content-hashed name such as
  `ibank.3f2a9c1d.wasm`, so it can be cached for a year and a new build is never mixed with an
  old one; index.html is rewritten to point at them;
- the glyph chunks fetched on demand for characters outside the first screen's font
  (scripts/glyph_chunks.py: glyphs/*.otf, already content-hashed, and their manifest);
- a gzip and a brotli sibling of every file, so the server sends the smallest one the browser
  accepts without compressing on each request (glyph chunks: gzip only - hundreds of files,
  and brotli at its best level would add minutes to every build for a few percent).
"""
import argparse
import gzip
import hashlib
import os
import shutil
import sys

import brotli

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(HERE, "..", "web")


def hashed_name(name, data):
    stem, ext = os.path.splitext(name)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:12]}{ext}"


def write_with_siblings(path, data, with_brotli=True):
    with open(path, "wb") as f:
        f.write(data)
    with open(path + ".gz", "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    if with_brotli:
        with open(path + ".br", "wb") as f:
            f.write(brotli.compress(data, quality=11))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True, help="the Emscripten build folder")
    parser.add_argument("--out", required=True, help="the folder to write (replaced)")
    args = parser.parse_args()

    platform_out = os.path.join(args.build, "src", "platform", "web")
    # Files joined into one: every request before the first frame competes for the browser's
    # six connections per origin.
    hashed_sources = {
        # The generated files first: the colours (page-theme.css, from src/core/palette.cpp) and
        # window.ibankContract (page-contract.js) that the hand-written files use.
        "app.css": [os.path.join(platform_out, "page-theme.css"), os.path.join(WEB, "app.css")],
        "loader.js": [os.path.join(platform_out, "page-contract.js"), os.path.join(WEB, "overlay.js"),
                      os.path.join(WEB, "loader.js")],
        "ibank.js": os.path.join(platform_out, "ibank.js"),
        "ibank.wasm": os.path.join(platform_out, "ibank.wasm"),
        "ui-font.otf": os.path.join(platform_out, "ui-font.otf"),
        # The certificate module (web/enroll, bundled by scripts/build), loaded on first use.
        "enroll.js": os.path.join(args.build, "enroll.js"),
    }
    for name, paths in hashed_sources.items():
        for path in paths if isinstance(paths, list) else [paths]:
            if not os.path.isfile(path):
                sys.exit(f"package_web: missing {path} (did the web build run?)")

    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)

    with open(os.path.join(WEB, "index.html"), encoding="utf-8") as f:
        page = f.read()
    for name, paths in hashed_sources.items():
        data = b""
        for path in paths if isinstance(paths, list) else [paths]:
            with open(path, "rb") as f:
                data += f.read()
        final = hashed_name(name, data)
        write_with_siblings(os.path.join(args.out, final), data)
        needle = f'"{name}"'
        if needle not in page:
            sys.exit(f"package_web: index.html does not reference {name}")
        page = page.replace(needle, f'"{final}"')
    glyph_dir = os.path.join(platform_out, "glyph-chunks")
    manifests = [n for n in os.listdir(glyph_dir) if n.startswith("glyphs.") and n.endswith(".json")]
    if len(manifests) != 1:
        sys.exit(f"package_web: expected one glyph manifest in {glyph_dir}")
    with open(os.path.join(glyph_dir, manifests[0]), "rb") as f:
        write_with_siblings(os.path.join(args.out, manifests[0]), f.read())
    page = page.replace('"glyphs.json"', f'"{manifests[0]}"')
    os.makedirs(os.path.join(args.out, "glyphs"))
    for name in os.listdir(os.path.join(glyph_dir, "glyphs")):
        with open(os.path.join(glyph_dir, "glyphs", name), "rb") as f:
            write_with_siblings(os.path.join(args.out, "glyphs", name), f.read(), with_brotli=False)

    write_with_siblings(os.path.join(args.out, "index.html"), page.encode("utf-8"))

    with open(os.path.join(WEB, "config.json"), "rb") as f:
        write_with_siblings(os.path.join(args.out, "config.json"), f.read())


if __name__ == "__main__":
    main()
