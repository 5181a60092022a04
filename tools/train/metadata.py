# SPDX-License-Identifier: Apache-2.0
"""Reads LJSpeech-format metadata: one `id|text` or `id|text|normalized
text` line per utterance, and other line-per-record text files. Shared by
prepare.py, teacher.py and copysynth.py; needs nothing beyond the Python
standard library."""
import sys


def read_fields(path, sep, who=""):
    """[(line number, fields)] of each non-empty line of a UTF-8 file, split
    at sep. An unreadable file ends the program with one clear message
    (prefixed by who, e.g. "copysynth: ")."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if line:
                    rows.append((n, line.split(sep)))
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"{who}cannot read {path}: {e}")
    return rows


def read_metadata(path):
    """[(id, text)], the text being the last column. A malformed line, an
    unreadable file or one without a line ends the program with one clear
    message naming the file (and the line)."""
    rows = []
    for n, parts in read_fields(path, "|"):
        if len(parts) < 2 or not parts[0] or not parts[-1].strip():
            sys.exit(f"{path}:{n}: expected id|text[|normalized text]")
        rows.append((parts[0], parts[-1].strip()))
    if not rows:
        sys.exit(f"{path}: no utterances")
    return rows
