#!/usr/bin/python3
"""Prints every character the UI can draw from built-in and configured text, for the font subset.

Inputs: the string table (src/core/ui_strings.inc: the quoted C string literals) and JSON files
(every string value, e.g. web/config.json). Printable ASCII is always included (IDs, codes, URLs,
passwords typed on the software keyboard)."""
import ast
import json
import re
import sys

LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def strings_of_table(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.lstrip().startswith("//"):
                continue
            for literal in LITERAL.findall(line):
                yield ast.literal_eval(literal)


def strings_of_json(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_of_json(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_of_json(v)


def main(paths):
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for path in paths:
        if path.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                texts = strings_of_json(json.load(f))
        else:
            texts = strings_of_table(path)
        for text in texts:
            chars.update(c for c in text if c.isprintable())
    chars.add("\u25CF")   # ● masks password characters
    chars.add("\u2026")   # … ends clipped text
    sys.stdout.write("".join(sorted(chars)))


if __name__ == "__main__":
    main(sys.argv[1:])
