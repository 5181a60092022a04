#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the Mandarin voice's training texts as ID|TEXT lines.

    /usr/bin/python3 tools/zh_teacher/corpus.py OUT.txt [--tatoeba N] [--law N]
        [--text-dir ../shared/data/text/zh] [--shards K]

Takes N Tatoeba sentences spread evenly over tatoeba-cmn.txt (ids from
tatoeba-cmn.ids, as tatoeba_ID), N sentences of the PRC law texts (cut at
。, 8 to 40 characters, spread evenly; as law_LINE_K), and every line of
service.txt beside this script (shop, bank and presenter sentences written
for shuzi; as svc_N). With --shards K it also writes OUT.1 ... OUT.K, the
same lines dealt round-robin, so K teacher processes can share the work.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
HAN = re.compile(r"[\u3400-\u9fff]")


def spread(items, n):
    if n <= 0 or not items:
        return []
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--tatoeba", type=int, default=4000)
    ap.add_argument("--law", type=int, default=1000)
    ap.add_argument("--text-dir", default=os.path.join(ROOT, "..", "shared", "data", "text", "zh"))
    ap.add_argument("--shards", type=int, default=0)
    a = ap.parse_args()
    try:
        with open(os.path.join(a.text_dir, "tatoeba-cmn.txt"), encoding="utf-8") as f:
            tat = [line.strip() for line in f]
        with open(os.path.join(a.text_dir, "tatoeba-cmn.ids"), encoding="utf-8") as f:
            ids = [line.strip() for line in f]
        with open(os.path.join(a.text_dir, "prc-law.txt"), encoding="utf-8") as f:
            law = [line.strip() for line in f]
        with open(os.path.join(HERE, "service.txt"), encoding="utf-8") as f:
            svc = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"corpus: {e}")
    if len(ids) != len(tat):
        sys.exit("corpus: tatoeba-cmn.ids and tatoeba-cmn.txt differ in length")
    rows = [(f"svc_{i + 1:04d}", t) for i, t in enumerate(svc)]
    tat_rows = [(f"tatoeba_{ids[i]:0>6}", t) for i, t in enumerate(tat) if t and "|" not in t]
    rows += spread(tat_rows, a.tatoeba)
    law_rows = []
    for n, line in enumerate(law, 1):
        for k, s in enumerate(p for p in re.split(r"(?<=。)", line) if p.strip()):
            han = len(HAN.findall(s))
            if 8 <= han <= 40 and "|" not in s:
                law_rows.append((f"law_{n:06d}_{k}", s.strip()))
    rows += spread(law_rows, a.law)
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(f"{u}|{t}\n" for u, t in rows)
    for s in range(a.shards):
        with open(f"{a.out}.{s + 1}", "w", encoding="utf-8") as f:
            f.writelines(f"{u}|{t}\n" for u, t in rows[s::a.shards])
    print(f"corpus: {len(rows)} lines ({len(svc)} service, {min(a.tatoeba, len(tat_rows))} Tatoeba, "
          f"{min(a.law, len(law_rows))} law) in {a.out}")


if __name__ == "__main__":
    main()
