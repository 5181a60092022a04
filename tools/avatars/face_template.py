#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes avatar/photo/face_template.c: the mean of the composite faces'
189-point templates, each first moved, turned and scaled so its pupils sit at
(-0.5, 0) and (0.5, 0). It is the face that `shuzi avatar create` fits to
seven landmarks when it has no full template. Run from the repository root:
    python3 tools/avatars/face_template.py ../shared/data/faces/composite
"""
import glob, math, os, sys

def read_tem(path):
    with open(path) as f:
        n = int(f.readline())
        return [tuple(map(float, f.readline().split()[:2])) for _ in range(n)]

def main():
    folder = sys.argv[1]
    files = sorted(glob.glob(os.path.join(folder, "*.tem")))
    if not files:
        sys.exit("no .tem files in " + folder)
    acc = None
    for p in files:
        pts = read_tem(p)
        (x0, y0), (x1, y1) = pts[0], pts[1]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        d = math.hypot(x1 - x0, y1 - y0)
        c, s = (x1 - x0) / d, (y1 - y0) / d
        norm = [(((x - cx) * c + (y - cy) * s) / d, (-(x - cx) * s + (y - cy) * c) / d) for x, y in pts]
        acc = norm if acc is None else [(a[0] + b[0], a[1] + b[1]) for a, b in zip(acc, norm)]
    mean = [(x / len(files), y / len(files)) for x, y in acc]
    out = ["/* SPDX-License-Identifier: CC-BY-4.0 */",
           "/* face_template.c: written by tools/avatars/face_template.py; do not edit.",
           " * The mean 189-point face template (Psychomorph order) of the Face",
           " * Research Lab's composite faces (CC BY 4.0: DeBruine, Lisa (2016): Young",
           " * adult composite faces. figshare. doi:10.6084/m9.figshare.4055130.v1),",
           " * pupils at (-0.5, 0) and (0.5, 0). */",
           '#include "avatar/photo/face_template.h"', "",
           "const float face_template_189[189][2] = {"]
    for x, y in mean:
        out.append("    {%.5ff, %.5ff}," % (x, y))
    out.append("};")
    with open("avatar/photo/face_template.c", "w") as f:
        f.write("\n".join(out) + "\n")

main()
