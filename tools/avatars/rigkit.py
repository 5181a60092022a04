# SPDX-License-Identifier: Apache-2.0
"""rigkit.py: helpers for writing shuzi 2D rigs (assets/avatars/*/avatar.json)
from Python: path builders, parts whose morph targets come from one shape
function evaluated at different parameters, and a stable JSON writer."""

import json
import math


def num(v):
    """A number written with at most two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class P:
    """SVG path data builder (absolute M L C Z), kept as numbers so that
    morph targets can be computed as differences of shapes."""

    def __init__(self):
        self.cmds = []  # (letter, [numbers])

    def M(self, x, y):
        self.cmds.append(("M", [x, y]))
        return self

    def L(self, x, y):
        self.cmds.append(("L", [x, y]))
        return self

    def C(self, x1, y1, x2, y2, x, y):
        self.cmds.append(("C", [x1, y1, x2, y2, x, y]))
        return self

    def Z(self):
        self.cmds.append(("Z", []))
        return self

    def ellipse(self, cx, cy, rx, ry):
        k = 0.5522847498
        self.M(cx + rx, cy)
        self.C(cx + rx, cy + k * ry, cx + k * rx, cy + ry, cx, cy + ry)
        self.C(cx - k * rx, cy + ry, cx - rx, cy + k * ry, cx - rx, cy)
        self.C(cx - rx, cy - k * ry, cx - k * rx, cy - ry, cx, cy - ry)
        self.C(cx + k * rx, cy - ry, cx + rx, cy - k * ry, cx + rx, cy)
        return self.Z()

    def rect(self, x, y, w, h):
        return self.M(x, y).L(x + w, y).L(x + w, y + h).L(x, y + h).Z()

    def plus(self, a, b):
        """self + (a - b), command by command."""
        out = P()
        for (c, v), (ca, va), (cb, vb) in zip(self.cmds, a.cmds, b.cmds):
            assert c == ca == cb, "shapes differ"
            out.cmds.append((c, [x + y - z for x, y, z in zip(v, va, vb)]))
        return out

    def __str__(self):
        return " ".join(c + " ".join(num(x) for x in v) for c, v in self.cmds)


def lerp(a, b, t):
    return a + (b - a) * t


def morphs(fn, base, targets):
    """Morph entries for a path-returning function fn(**params).

    base: the neutral parameters; targets: list of (control spec dict,
    parameter changes) or (spec, changes, reference changes): the target is
    fn(base + changes), or with a reference base + fn(changes) - fn(reference)
    (a delta measured elsewhere, e.g. the tongue raise in an open mouth)."""
    out = []
    b = fn(**base)
    for t in targets:
        spec, change = t[0], t[1]
        params = dict(base)
        params.update(change)
        if len(t) > 2:
            ref = dict(base)
            ref.update(t[2])
            shape = b.plus(fn(**params), fn(**ref))
        else:
            shape = fn(**params)
        entry = dict(spec)
        entry["path"] = str(shape)
        out.append(entry)
    return out


def part(name, shape, **kw):
    p = {"name": name}
    p.update(shape)
    for k, v in kw.items():
        if v is not None:
            p[k] = v
    return p


def path_part(name, fn, base, targets=(), **kw):
    p = part(name, {"path": str(fn(**base))}, **kw)
    if targets:
        p["morphs"] = morphs(fn, base, targets)
    return p


def write(path, rig):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(rig, f, ensure_ascii=False, indent=1)
        f.write("\n")


def deg(d):
    return d * math.pi / 180.0
