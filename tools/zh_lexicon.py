#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""zh_lexicon: writes assets/lexicon/zh-words.txt, the Mandarin word list the
text frontend segments sentences with (for third-tone sandhi by prosodic
word), from the jieba dictionary in Debian's python3-jieba package (MIT).

    /usr/bin/python3 tools/zh_lexicon.py [--dict /usr/lib/python3/dist-packages/jieba/dict.txt]
        [--min-count 5] [--out assets/lexicon/zh-words.txt]

Kept: words of one to four Han characters; every single character, and
longer words counted at least --min-count times. Written as `WORD<TAB>COUNT`
lines sorted by their UTF-8 bytes (the frontend binary-searches the mapped
file and checks that order when it opens it).
"""
import argparse
import os
import re
import sys

HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{1,4}$")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dict", default="/usr/lib/python3/dist-packages/jieba/dict.txt")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "assets",
                                                  "lexicon", "zh-words.txt"))
    a = ap.parse_args()
    if not os.path.exists(a.dict):
        sys.exit(f"zh_lexicon: {a.dict} not found (Debian's python3-jieba installs it)")
    words = {}
    with open(a.dict, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or not HAN.match(parts[0]) or not parts[1].isdigit():
                continue
            w, n = parts[0], int(parts[1])
            if n <= 0 or (len(w) > 1 and n < a.min_count):
                continue
            words[w] = max(words.get(w, 0), n)
    rows = sorted(words.items(), key=lambda kv: kv[0].encode("utf-8"))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        for w, n in rows:
            f.write(f"{w}\t{n}\n")
    multi = sum(1 for w, _ in rows if len(w) > 1)
    print(f"zh_lexicon: {len(rows)} entries ({multi} words of 2-4 characters, "
          f"{len(rows) - multi} single characters) -> {a.out}")


if __name__ == "__main__":
    main()
