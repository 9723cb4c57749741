#!/usr/bin/python3
"""Splits Noto Sans CJK JP into small font files ("glyph chunks") the web app loads on demand.

The first screen ships only the subset of the UI's own texts (scripts/font_chars.py). Text that
comes from the server - company and user names - can hold any kanji; when the app meets a
character its atlas lacks, it fetches the one chunk that covers it. Chunks cover consecutive
code point ranges: 128 code points in the dense CJK blocks (about 20 KB each, compressed), 256
elsewhere, and only ranges the font has glyphs for. Names are content-hashed; a manifest
(glyphs.<hash>.json: [[first, last, "file"], ...]) maps ranges to files.

Usage: glyph_chunks.py FONT OUT_DIR  (writes OUT_DIR/glyphs/*.otf and OUT_DIR/glyphs.<hash>.json)
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from fontTools.ttLib import TTCollection

FACE = 0   # Noto Sans CJK JP in the collection


def range_of(cp):
    """The chunk range holding `cp`. Dense blocks are 256-aligned, so ranges never overlap."""
    dense = 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF
    size = 128 if dense else 256
    first = cp - cp % size
    return first, first + size - 1


def ranges_of(cmap):
    return sorted({range_of(cp) for cp in cmap})


def build_chunk(font, tmp, first, last):
    path = os.path.join(tmp, f"{first:05x}.otf")
    subprocess.run(["hb-subset", font, f"--face-index={FACE}", f"--unicodes={first:X}-{last:X}",
                    "--no-hinting", "--desubroutinize", "--name-IDs=", "--layout-features=", "-o", path],
                   check=True)
    with open(path, "rb") as f:
        data = f.read()
    name = f"g-{first:05x}.{hashlib.sha256(data).hexdigest()[:12]}.otf"
    return first, last, name, data


def main(font, out):
    cmap = TTCollection(font).fonts[FACE].getBestCmap()
    chunk_dir = os.path.join(out, "glyphs")
    if os.path.isdir(chunk_dir):
        shutil.rmtree(chunk_dir)
    os.makedirs(chunk_dir)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        chunks = list(pool.map(lambda r: build_chunk(font, tmp, *r), ranges_of(cmap)))
    manifest = []
    for first, last, name, data in chunks:
        with open(os.path.join(chunk_dir, name), "wb") as f:
            f.write(data)
        manifest.append([first, last, "glyphs/" + name])
    text = json.dumps(manifest, separators=(",", ":")).encode()
    for old in os.listdir(out):
        if old.startswith("glyphs.") and old.endswith(".json"):
            os.remove(os.path.join(out, old))
    with open(os.path.join(out, f"glyphs.{hashlib.sha256(text).hexdigest()[:12]}.json"), "wb") as f:
        f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
