#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""panda.py: writes assets/avatars/panda/avatar.json, a cartoon mascot (a
panda host with a headset and a red scarf): flat colours, thick outlines,
big eyes, a cartoon mouth. It uses the same rig format as the presenter.

    python3 tools/avatars/panda.py   # from the repository root
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rigkit import P, lerp, path_part, part, write  # noqa: E402

INK = "#2b2433"
FUR = "#fbfaf7"
FUR_SHADE = "#e6e2dc"
BLACK = "#2d2a33"
BLACK_LIGHT = "#45414d"
SCARF = "#d8343b"
SCARF_DARK = "#a8222c"
CAVITY = "#5b1c26"
TONGUE = "#ef7f8c"
TEETH = "#ffffff"
X = 640.0
BOTTOM = 900.0
YAW_CLAMP = [-0.15, 0.15]
PITCH_CLAMP = [-0.12, 0.12]


def c(name, **kw):
    d = {"control": name}
    d.update(kw)
    return d


def rot_ellipse(cx, cy, rx, ry, angle):
    """An ellipse rotated by angle (radians) as four cubic curves."""
    k = 0.5522847498
    ca, sa = math.cos(angle), math.sin(angle)

    def pt(x, y):
        return (cx + x * ca - y * sa, cy + x * sa + y * ca)

    p = P().M(*pt(rx, 0))
    p.C(*pt(rx, k * ry), *pt(k * rx, ry), *pt(0, ry))
    p.C(*pt(-k * rx, ry), *pt(-rx, k * ry), *pt(-rx, 0))
    p.C(*pt(-rx, -k * ry), *pt(-k * rx, -ry), *pt(0, -ry))
    p.C(*pt(k * rx, -ry), *pt(rx, -k * ry), *pt(rx, 0))
    return p.Z()


# ---- body ---------------------------------------------------------------

def body_parts():
    parts = []
    body = P().M(X - 330, BOTTOM).C(X - 330, 650, X - 250, 505, X, 490)
    body.C(X + 250, 505, X + 330, 650, X + 330, BOTTOM).Z()
    parts.append(part("body", {"path": str(body)}, group="body", fill=BLACK, stroke=INK,
                      stroke_width=6))
    chest = P().M(X - 175, BOTTOM).C(X - 190, 690, X - 130, 540, X, 530)
    chest.C(X + 130, 540, X + 190, 690, X + 175, BOTTOM).Z()
    parts.append(part("chest", {"path": str(chest)}, group="body", fill="fur", stroke=INK,
                      stroke_width=5))
    # arm seams
    for s in (-1, 1):
        seam = P().M(X + s * 250, 600).C(X + s * 232, 680, X + s * 224, 760, X + s * 222, BOTTOM)
        parts.append(part("arm_" + ("l" if s < 0 else "r"), {"path": str(seam)}, group="body",
                          stroke=BLACK_LIGHT, stroke_width=5))
    # scarf: a band under the chin and a knot with two tails
    band = P().M(X - 150, 478).C(X - 80, 520, X + 80, 520, X + 150, 478)
    band.C(X + 160, 500, X + 150, 530, X + 130, 542).C(X + 60, 570, X - 60, 570, X - 130, 542)
    band.C(X - 150, 530, X - 160, 500, X - 150, 478).Z()
    parts.append(part("scarf", {"path": str(band)}, group="body", fill="scarf", stroke=INK,
                      stroke_width=5))
    tail1 = P().M(X + 60, 548).C(X + 80, 590, X + 90, 630, X + 84, 668).L(X + 124, 652)
    tail1.C(X + 124, 610, X + 110, 570, X + 92, 540).Z()
    tail2 = P().M(X + 70, 548).C(X + 110, 580, X + 140, 610, X + 160, 640).L(X + 176, 604)
    tail2.C(X + 150, 580, X + 120, 556, X + 96, 538).Z()
    parts.append(part("scarf_tail_back", {"path": str(tail2)}, group="body", fill=SCARF_DARK,
                      stroke=INK, stroke_width=5))
    parts.append(part("scarf_tail", {"path": str(tail1)}, group="body", fill=SCARF,
                      stroke=INK, stroke_width=5))
    parts.append(part("scarf_knot", {"ellipse": [X + 80, 540, 26, 20]}, group="body",
                      fill=SCARF_DARK, stroke=INK, stroke_width=5))
    # a name badge
    parts.append(part("badge", {"rect": [X - 120, 640, 86, 40, 10]}, group="body",
                      fill="#ffd35c", stroke=INK, stroke_width=4))
    star = P()
    for i in range(10):
        r = 11 if i % 2 == 0 else 4.6
        a = -math.pi / 2 + i * math.pi / 5
        pt = (X - 77 + r * math.cos(a), 661 + r * math.sin(a))
        if i == 0:
            star.M(*pt)
        else:
            star.L(*pt)
    star.Z()
    parts.append(part("badge_star", {"path": str(star)}, group="body", fill=SCARF))
    return parts


# ---- head (head-local, origin between the eyes) ---------------------------

def head_shape(jaw=0.0, yaw=0.0):
    d = 10.0 * jaw
    t = 30.0 * yaw
    p = P().M(0, -175).C(120, -175, 205, -120, 210, -20)
    p.C(214, 60, 170 + 0.4 * t, 140 + 0.4 * d, 0 + t, 158 + d)
    p.C(-170 + 0.4 * t, 140 + 0.4 * d, -214, 60, -210, -20)
    p.C(-205, -120, -120, -175, 0, -175).Z()
    return p


def ear_parts():
    parts = []
    for s in (-1, 1):
        side = "l" if s < 0 else "r"
        parts.append(part("ear_" + side, {"circle": [s * 150, -150, 58]}, group="ears",
                          fill=BLACK, stroke=INK, stroke_width=6))
        parts.append(part("ear_inner_" + side, {"circle": [s * 150, -146, 30]}, group="ears",
                          fill=BLACK_LIGHT))
    return parts


EYE_BASE = dict(blink=0.0, happy=0.0, surprised=0.0, angry=0.0, sad=0.0)


def eye_geom(s, blink=0.0, happy=0.0, surprised=0.0, angry=0.0, sad=0.0):
    ex, ey = s * 78.0, -18.0
    r = 27.0 + 4.0 * surprised
    top = ey - r * 1.05
    bot = ey + r - 16.0 * happy  # the cheeks push the lower lid up
    # closing: both lids meet a little below the middle, an almost flat line
    meet = ey + 0.35 * r
    top_y = lerp(top, meet - 2.0, blink)
    bot_y = lerp(bot, meet + 3.0, blink)
    # the inner side drops when angry, the outer when sad
    tin = 12.0 * angry - 4.0 * sad
    tout = 8.0 * sad - 3.0 * angry
    return dict(ex=ex, ey=ey, r=r, top=top_y, bot=bot_y, tin=tin * (1 - blink),
                tout=tout * (1 - blink), s=s)


def eye_white(s, **kw):
    e = eye_geom(s, **kw)
    ex, ey, r, s_ = e["ex"], e["ey"], e["r"], e["s"]
    k = 0.5522847498
    xi, xo = ex - s_ * r, ex + s_ * r
    p = P().M(xi, ey + e["tin"] * 0.3)
    p.C(xi, ey - k * (ey - e["top"]) + e["tin"], ex - s_ * k * r, e["top"] + e["tin"], ex,
        e["top"] + 0.5 * (e["tin"] + e["tout"]))
    p.C(ex + s_ * k * r, e["top"] + e["tout"], xo, ey - k * (ey - e["top"]) + e["tout"], xo,
        ey + e["tout"] * 0.3)
    p.C(xo, ey + k * (e["bot"] - ey), ex + s_ * k * r, e["bot"], ex, e["bot"])
    p.C(ex - s_ * k * r, e["bot"], xi, ey + k * (e["bot"] - ey), xi, ey + e["tin"] * 0.3)
    return p.Z()


def eye_lid(s, **kw):
    """The closed-eye line: the lower half of the eye opening."""
    e = eye_geom(s, **kw)
    ex, ey, r, s_ = e["ex"], e["ey"], e["r"], e["s"]
    k = 0.5522847498
    xi, xo = ex - s_ * r, ex + s_ * r
    p = P().M(xi, ey)
    p.C(xi, ey + k * (e["bot"] - ey), ex - s_ * k * r, e["bot"], ex, e["bot"])
    p.C(ex + s_ * k * r, e["bot"], xo, ey + k * (e["bot"] - ey), xo, ey)
    return p


def eye_targets():
    return [
        (c("blink"), {"blink": 1.0}),
        (c("happy", unless="blink"), {"happy": 1.0}),
        (c("surprised", unless="blink"), {"surprised": 1.0}),
        (c("angry", unless="blink"), {"angry": 1.0}),
        (c("sad", unless="blink"), {"sad": 1.0}),
        (c("relaxed", unless="blink"), {"blink": 0.3}),
    ]


def eye_parts(s):
    side = "l" if s < 0 else "r"
    parts = []
    parts.append(part("patch_" + side, {"path": str(rot_ellipse(s * 80, -8, 54, 66, s * -0.45))},
                      group="face", fill=BLACK))
    base = dict(EYE_BASE, s=s)
    white = "eye_white_" + side
    parts.append(path_part(white, eye_white, base, eye_targets(), group="face", fill="#ffffff"))
    gaze = [c("gaze_x", translate=[10, 0]), c("gaze_y", translate=[0, 6])]
    ex, ey = s * 78.0 + s * 2.0, -14.0
    parts.append(part("iris_" + side, {"circle": [0, 0, 20]}, group="face", anchor=[ex, ey],
                      clip=white, fill="iris", drive=gaze))
    parts.append(part("pupil_" + side, {"circle": [0, 0, 11]}, group="face", anchor=[ex, ey],
                      clip=white, fill="#120e14", drive=gaze))
    parts.append(part("shine_" + side, {"circle": [6, -7, 6.5]}, group="face", anchor=[ex, ey],
                      clip=white, fill="#ffffff", drive=gaze))
    parts.append(part("shine2_" + side, {"circle": [-6, 7, 2.8]}, group="face", anchor=[ex, ey],
                      clip=white, fill="#ffffffd0", drive=gaze))
    parts.append(path_part("lid_" + side, eye_lid, base, eye_targets(), group="face",
                           stroke="#efeaf2", stroke_width=5, opacity=0.0,
                           drive=[c("blink", range=[0.55, 0.95], opacity=1.0)]))
    return parts


def brow(s, happy=0.0, surprised=0.0, sad=0.0, angry=0.0):
    lift = 4.0 * happy + 12.0 * surprised
    yi = -92 - lift - 9.0 * sad + 10.0 * angry
    yo = -98 - lift + 6.0 * sad - 4.0 * angry
    xi, xo = s * 52, s * 104
    ym = 0.5 * (yi + yo) - 5.0
    p = P().M(xi, yi).C(xi + s * 14, ym - 3, xo - s * 14, ym - 3, xo, yo)
    return p


def brow_parts():
    parts = []
    for s in (-1, 1):
        base = dict(s=s, happy=0.0, surprised=0.0, sad=0.0, angry=0.0)
        t = [(c(k), {k: 1.0}) for k in ("happy", "surprised", "sad", "angry")]
        parts.append(path_part("brow_" + ("l" if s < 0 else "r"), brow, base, t, group="face",
                               stroke=BLACK, stroke_width=9, line_cap="round"))
    return parts


# ---- mouth (face group; the nose sits above it) ----------------------------

MOUTH_BASE = dict(open=0.0, sp=0.0, rd=0.0, cl=0.0, tl=0.0, happy=0.0, sad=0.0, angry=0.0,
                  tongue=0.0)


def mouth_geom(open=0.0, sp=0.0, rd=0.0, cl=0.0, tl=0.0, happy=0.0, sad=0.0, angry=0.0,
               tongue=0.0):
    o = 44.0 * open
    w = 34.0 * (1.0 + 0.3 * sp - 0.45 * rd + 0.15 * happy - 0.1 * cl)
    cy = 104.0 - 7.0 * happy + 8.0 * sad + 3.0 * angry + 0.1 * o
    up = 106.0 - 0.15 * o - 2.0 * tl + 3.0 * happy
    lo = 106.0 + 0.85 * o + 1.0 * tl + 3.0 * happy - 4.0 * sad
    k = 0.55 + 0.4 * rd
    return dict(o=o, w=w, cy=cy, up=up, lo=lo, k=k, tongue=tongue)


def mouth_shape(**kw):
    m = mouth_geom(**kw)
    w, cy, k = m["w"], m["cy"], m["k"]
    upc = cy + (m["up"] - cy) * 4.0 / 3.0
    loc = cy + (m["lo"] - cy) * 4.0 / 3.0
    return P().M(-w, cy).C(-w * k, upc, w * k, upc, w, cy).C(w * k, loc, -w * k, loc, -w, cy).Z()


def tongue_shape(**kw):
    m = mouth_geom(**kw)
    ty = lerp(m["lo"] - 4.0, m["up"] + 0.4 * m["o"], m["tongue"])
    return P().ellipse(0, ty, m["w"] * 0.62, 0.3 * m["o"] + 5.0)


def teeth_shape(**kw):
    m = mouth_geom(**kw)
    h = min(9.0, 2.0 + 0.4 * m["o"])
    return P().rect(-m["w"] * 0.5, m["up"] - 6.0, m["w"], h + 6.0)


def philtrum(**kw):
    m = mouth_geom(**kw)
    return P().M(0, 74).C(0, 84, 0, 94, 0, m["up"] + 0.5 * (m["cy"] - m["up"]))


def mouth_targets():
    return [
        (c("mouth_open"), {"open": 1.0}),
        (c("lip_spread"), {"sp": 1.0}),
        (c("lip_round"), {"rd": 1.0}),
        (c("lip_close"), {"cl": 1.0}),
        (c("teeth_lip"), {"tl": 1.0}),
        (c("happy"), {"happy": 1.0}),
        (c("sad"), {"sad": 1.0}),
        (c("angry"), {"angry": 1.0}),
        (c("surprised", unless="lip_close"), {"open": 0.3, "rd": 0.5}),
    ]


def mouth_parts():
    g = "face"
    parts = []
    parts.append(part("muzzle", {"ellipse": [0, 78, 96, 66]}, group=g, fill="muzzle"))
    parts.append(path_part("philtrum", philtrum, MOUTH_BASE, mouth_targets(), group=g,
                           stroke=INK, stroke_width=4.5))
    parts.append(path_part("mouth", mouth_shape, MOUTH_BASE, mouth_targets(), group=g,
                           fill=CAVITY))
    tt = mouth_targets() + [(c("tongue"), {"open": 0.6, "tongue": 1.0},
                             {"open": 0.6, "tongue": 0.0})]
    parts.append(path_part("tongue", tongue_shape, MOUTH_BASE, tt, group=g, clip="mouth",
                           fill=TONGUE))
    teeth_t = [x for x in mouth_targets() if x[0]["control"] != "mouth_open"]
    teeth_t.append((c("mouth_open", range=[0, 0.4]), {"open": 0.4}))
    parts.append(path_part("teeth", teeth_shape, MOUTH_BASE, teeth_t, group=g, clip="mouth",
                           fill=TEETH, opacity=0.0,
                           drive=[c("mouth_open", range=[0.0, 0.05], opacity=1.0),
                                  c("teeth_lip", range=[0.0, 0.5], opacity=1.0)]))
    parts.append(path_part("mouth_line", mouth_shape, MOUTH_BASE, mouth_targets(), group=g,
                           stroke=INK, stroke_width=4.5, line_join="round"))
    return parts


def nose_parts():
    p = P().M(-22, 50).C(-22, 40, 22, 40, 22, 50).C(22, 62, 8, 72, 0, 74)
    p.C(-8, 72, -22, 62, -22, 50).Z()
    return [part("nose", {"path": str(p)}, group="nose", fill=BLACK, stroke=INK, stroke_width=3),
            part("nose_shine", {"ellipse": [-6, 49, 7, 3.5]}, group="nose", fill="#ffffff80")]


def headset_parts():
    band = P().M(-204, -30).C(-212, -150, -110, -196, 0, -196).C(110, -196, 212, -150, 204, -30)
    boom = P().M(-206, 10).C(-200, 80, -150, 120, -90, 124)
    parts = [part("headset_band", {"path": str(band)}, group="head", stroke=INK, stroke_width=9,
                  line_cap="round")]
    for s in (-1, 1):
        parts.append(part("headset_cup_" + ("l" if s < 0 else "r"),
                          {"rect": [s * 205 - 17, -50, 34, 74, 14]}, group="head",
                          fill="#3b3f4a", stroke=INK, stroke_width=4))
    parts += [
        part("headset_boom", {"path": str(boom)}, group="head", stroke="#3b3f4a",
             stroke_width=7, line_cap="round"),
        part("headset_mic", {"ellipse": [-84, 124, 13, 11]}, group="head", fill="#3b3f4a",
             stroke=INK, stroke_width=3),
    ]
    return parts


def rig():
    paints = {
        "fur": {"radial": [-40, -60, 20, 0, 0, 240],
                "stops": [[0, FUR], [0.75, FUR], [1, FUR_SHADE]]},
        "muzzle": {"radial": [0, 70, 10, 0, 78, 96],
                   "stops": [[0, "#fffefc"], [1, "#f2eee8"]]},
        "scarf": {"linear": [0, 478, 0, 560], "stops": [[0, SCARF], [1, SCARF_DARK]]},
        "iris": {"radial": [0, 4, 2, 0, 0, 20],
                 "stops": [[0, "#7a5238"], [0.7, "#4a3022"], [1, "#1e1418"]]},
        "blush": {"radial": [0, 0, 0, 0, 0, 30],
                  "stops": [[0, "#ff8fa0b0"], [1, "#ff8fa000"]]},
    }
    groups = [
        {"name": "body", "drive": [c("breath", translate=[0, -4])]},
        {"name": "head", "parent": "body", "anchor": [X, 300], "pivot": [0, 170],
         "drive": [c("head_roll", rotate=1.3), c("breath", translate=[0, 1.0]),
                   c("head_yaw", translate=[40, 0]), c("head_pitch", translate=[0, 40]),
                   c("speaking", translate=[0, -2])]},
        {"name": "ears", "parent": "head",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[-40, 0]),
                   c("head_pitch", clamp=PITCH_CLAMP, translate=[0, 30]),
                   c("surprised", translate=[0, -6])]},
        {"name": "face", "parent": "head",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[90, 0]),
                   c("head_pitch", clamp=PITCH_CLAMP, translate=[0, 80])]},
        {"name": "nose", "parent": "face",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[30, 0]),
                   c("mouth_open", translate=[0, -3])]},
    ]
    parts = body_parts()
    parts += ear_parts()
    parts.append(path_part("head", head_shape, dict(jaw=0.0, yaw=0.0),
                           [(c("jaw_open"), {"jaw": 1.0}), (c("head_yaw"), {"yaw": 1.0})],
                           group="head", fill="fur", stroke=INK, stroke_width=6))
    for s in (-1, 1):
        parts.append(part("cheek_" + ("l" if s < 0 else "r"), {"ellipse": [0, 0, 30, 22]},
                          group="face", anchor=[s * 128, 62], fill="blush", opacity=0.55,
                          drive=[c("happy", opacity=0.45, translate=[0, -5])]))
    parts += mouth_parts()
    parts += nose_parts()
    parts += eye_parts(-1) + eye_parts(1)
    parts += brow_parts()
    parts += headset_parts()
    return {
        "format": "shuzi-rig-2d",
        "version": 1,
        "name": "panda",
        "description": "a cartoon panda host with a headset and a red scarf (mascot)",
        "style": "cartoon, flat colours, outlines",
        "canvas": [1280, 720],
        "paints": paints,
        "groups": groups,
        "parts": parts,
    }


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out = os.path.join(root, "assets", "avatars", "panda")
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "avatar.json"), rig())
    print("wrote", os.path.normpath(os.path.join(out, "avatar.json")))
