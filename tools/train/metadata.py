"""Reads LJSpeech-format metadata: one `id|text` or `id|text|normalized
text` line per utterance. Shared by prepare.py and teacher.py; needs nothing
beyond the Python standard library."""
import sys


def read_metadata(path):
    """[(id, text)], the text being the last column. A malformed line, an
    unreadable file or one without a line ends the program with one clear
    message naming the file (and the line)."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split("|")
                if len(parts) < 2 or not parts[0] or not parts[-1].strip():
                    sys.exit(f"{path}:{n}: expected id|text[|normalized text]")
                rows.append((parts[0], parts[-1].strip()))
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"cannot read {path}: {e}")
    if not rows:
        sys.exit(f"{path}: no utterances")
    return rows
