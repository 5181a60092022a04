#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""presenter.py: writes assets/avatars/presenter/avatar.json, the default
avatar: a presenter in a navy suit, upper body, for a bank or a live-selling
room. Every shape is a function of the face parameters it depends on; the
rig's morph targets are those functions evaluated at each control's extreme.

    python3 tools/avatars/presenter.py   # from the repository root
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rigkit import P, lerp, path_part, part, write  # noqa: E402


def hexc(r, g, b, a=None):
    s = "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))
    return s if a is None else s + "%02x" % round(a * 255)


def mix(c1, c2, t):
    return tuple(lerp(a, b, t) for a, b in zip(c1, c2))


SKIN = (0.97, 0.83, 0.73)
SKIN_SHADE = (0.90, 0.71, 0.60)
SKIN_LINE = (0.70, 0.47, 0.39)
NECK = (0.91, 0.74, 0.63)
HAIR = (0.22, 0.15, 0.11)
HAIR_LIGHT = (0.42, 0.29, 0.20)
LIP_UP = (0.76, 0.50, 0.47)
LIP_LO = (0.83, 0.59, 0.55)
LIP_LINE = (0.52, 0.27, 0.27)
CAVITY = (0.25, 0.06, 0.08)
TEETH = (0.97, 0.96, 0.92)
TONGUE = (0.80, 0.39, 0.41)
EYE_WHITE = (0.98, 0.97, 0.95)
LASH = (0.14, 0.09, 0.07)
PUPIL = (0.05, 0.03, 0.03)
SUIT = (0.16, 0.19, 0.27)
SUIT_LIGHT = (0.25, 0.29, 0.38)
SUIT_EDGE = (0.09, 0.11, 0.16)
SHIRT = (0.96, 0.97, 0.99)
SHIRT_SHADE = (0.80, 0.83, 0.89)
TIE = (0.13, 0.36, 0.60)
TIE_DARK = (0.09, 0.24, 0.42)

X = 640.0  # body centre line
BOTTOM = 900.0  # the body runs out of the canvas (720) so it never floats

# Yaw/pitch move the features inside the head by at most this much.
YAW_CLAMP = [-0.107, 0.107]
PITCH_CLAMP = [-0.09, 0.09]


def c(name, **kw):
    d = {"control": name}
    d.update(kw)
    return d


# ---- body (canvas coordinates) ------------------------------------------

def body_parts():
    x = X
    parts = []
    neck = P().M(x - 46, 320).C(x - 46, 380, x - 50, 430, x - 56, 470).L(x + 56, 470)
    neck.C(x + 50, 430, x + 46, 380, x + 46, 320).Z()
    parts.append(part("neck", {"path": str(neck)}, group="body", fill=hexc(*NECK)))
    parts.append(part("neck_shadow", {"path": str(neck)}, group="body", fill="neck_shadow"))

    suit = P().M(x - 60, 448).C(x - 116, 468, x - 190, 478, x - 248, 500)
    suit.C(x - 312, 524, x - 332, 590, x - 340, 680).L(x - 352, BOTTOM).L(x + 352, BOTTOM)
    suit.L(x + 340, 680).C(x + 332, 590, x + 312, 524, x + 248, 500)
    suit.C(x + 190, 478, x + 116, 468, x + 60, 448).Z()
    parts.append(part("suit", {"path": str(suit)}, group="body", fill="suit"))
    # soft fold shading at the arms
    for s in (-1, 1):
        fold = P().M(x + s * 250, 520).C(x + s * 280, 560, x + s * 292, 640, x + s * 296, BOTTOM)
        parts.append(part("suit_fold_" + ("l" if s < 0 else "r"), {"path": str(fold)},
                          group="body", stroke=hexc(*SUIT_EDGE, 0.35), stroke_width=10))

    shirt = P().M(x - 66, 446).L(x + 66, 446).L(x + 30, 590).L(x, 640).L(x - 30, 590).Z()
    parts.append(part("shirt", {"path": str(shirt)}, group="body", fill=hexc(*SHIRT)))

    band = P().M(x - 58, 452).C(x - 56, 430, x - 40, 424, x, 426)
    band.C(x + 40, 424, x + 56, 430, x + 58, 452).Z()
    parts.append(part("collar_band", {"path": str(band)}, group="body", fill=hexc(*SHIRT_SHADE)))
    front = P().M(x - 47, 400).C(x - 48, 430, x - 40, 470, x, 488)
    front.C(x + 40, 470, x + 48, 430, x + 47, 400).Z()
    parts.append(part("neck_front", {"path": str(front)}, group="body", fill=hexc(*NECK)))
    parts.append(part("neck_front_shade", {"path": str(front)}, group="body",
                      fill=hexc(*SKIN_LINE, 0.22)))

    knot = P().M(x - 15, 478).L(x + 15, 478).L(x + 10, 506).L(x - 10, 506).Z()
    parts.append(part("tie_knot", {"path": str(knot)}, group="body", fill=hexc(*TIE_DARK)))
    blade = P().M(x - 10, 506).L(x + 10, 506).L(x + 24, 650).L(x, 676).L(x - 24, 650).Z()
    parts.append(part("tie", {"path": str(blade)}, group="body", fill="tie"))
    stripes = P()
    s0 = 500
    while s0 < 700:
        stripes.M(x - 30, s0).L(x + 30, s0 + 26)
        s0 += 22
    parts.append(part("tie_stripes", {"path": str(stripes)}, group="body", clip="tie",
                      stroke=hexc(*TIE_DARK, 0.55), stroke_width=4))

    for s in (-1, 1):
        side = "l" if s < 0 else "r"
        wing = P().M(x + s * 50, 418).C(x + s * 58, 440, x + s * 62, 462, x + s * 60, 478)
        wing.L(x + s * 36, 530).L(x + s * 8, 484)
        wing.C(x + s * 30, 470, x + s * 46, 448, x + s * 50, 418).Z()
        parts.append(part("collar_" + side, {"path": str(wing)}, group="body",
                          fill=hexc(*SHIRT), stroke=hexc(*SHIRT_SHADE), stroke_width=1.6))
    for s in (-1, 1):
        side = "l" if s < 0 else "r"
        lapel = P().M(x + s * 70, 446).L(x + s * 96, 470).L(x + s * 118, 512)
        lapel.L(x + s * 102, 522).L(x + s * 114, 540)
        lapel.C(x + s * 90, 600, x + s * 40, 660, x + s * 4, 704)
        lapel.L(x + s * 2, 690).L(x + s * 30, 592).L(x + s * 66, 446).Z()
        parts.append(part("lapel_" + side, {"path": str(lapel)}, group="body",
                          fill=hexc(*SUIT_LIGHT), stroke=hexc(*SUIT_EDGE), stroke_width=2))
    # a pocket square on the viewer's right, a lapel pin on the left
    pocket = P().M(x + 190, 590).L(x + 250, 584).L(x + 252, 592).L(x + 192, 598).Z()
    parts.append(part("pocket", {"path": str(pocket)}, group="body", fill=hexc(*SUIT_EDGE, 0.8)))
    square = P().M(x + 200, 590).L(x + 212, 572).L(x + 222, 582).L(x + 232, 570).L(x + 244, 586).Z()
    parts.append(part("pocket_square", {"path": str(square)}, group="body",
                      fill=hexc(*SHIRT), stroke=hexc(*SHIRT_SHADE), stroke_width=1.2))
    parts.append(part("pin", {"circle": [x - 104, 566, 5]}, group="body", fill="pin"))
    line = P().M(x, 690).L(x - 6, BOTTOM)
    parts.append(part("jacket_line", {"path": str(line)}, group="body",
                      stroke=hexc(*SUIT_EDGE), stroke_width=2))
    parts.append(part("button", {"circle": [x + 14, 716, 5]}, group="body", fill=hexc(*SUIT_EDGE)))
    return parts


# ---- head (head-local: origin at the head centre, the neck base at y=205) --

def face_outline(jaw=0.0, yaw=0.0):
    cdrop, j = 13.0 * jaw, 0.45 * 13.0 * jaw
    t = 40.0 * yaw  # the chin follows a turn a little further than the skull
    p = P().M(0, -152).C(58, -152, 98, -120, 100, -56)
    p.C(103, -4, 101, 36, 89 + 0.3 * t, 80 + j)
    p.C(74 + 0.6 * t, 118 + j, 36 + t, 141 + cdrop, t, 142 + cdrop)
    p.C(-36 + t, 141 + cdrop, -74 + 0.6 * t, 118 + j, -89 + 0.3 * t, 80 + j)
    p.C(-101, 36, -103, -4, -100, -56)
    p.C(-98, -120, -58, -152, 0, -152).Z()
    return p


def mouth_geom(open=0.0, sp=0.0, rd=0.0, cl=0.0, tl=0.0, happy=0.0, sad=0.0, angry=0.0,
               tongue=0.0):
    m = {}
    my = 86.0
    o = 26.0 * open
    w = 30.0 * (1.0 + 0.22 * sp - 0.34 * rd + 0.12 * happy - 0.04 * cl - 0.03 * sad)
    wi = w * (0.9 - 0.32 * rd)
    k = 0.5 + 0.45 * rd
    cy = my - 1.5 - 6.0 * happy + 3.5 * sad + 2.0 * angry + 0.15 * o
    up_in = my - 0.14 * o - 1.5 * tl
    lo_in = my + 0.86 * o - 0.5 * tl
    th_up = 7.0 * (1.0 + 0.45 * rd - 0.45 * cl)
    th_lo = 9.5 * (1.0 + 0.4 * rd - 0.4 * cl - 0.35 * tl)
    m.update(w=w, wi=wi, k=k, cy=cy, up_in=up_in, lo_in=lo_in, up_out=up_in - th_up,
             lo_out=lo_in + th_lo, o=o, tongue=tongue)
    return m


def inner(p, m, apex, d):
    cy = m["cy"] + (apex - m["cy"]) * 4.0 / 3.0
    p.C(-d * m["wi"] * m["k"], cy, d * m["wi"] * m["k"], cy, d * m["wi"], m["cy"])


def mouth_cavity(**kw):
    m = mouth_geom(**kw)
    p = P().M(-m["wi"], m["cy"])
    inner(p, m, m["up_in"], 1)
    inner(p, m, m["lo_in"], -1)
    return p.Z()


def upper_lip(**kw):
    m = mouth_geom(**kw)
    w, cy, uo = m["w"], m["cy"], m["up_out"]
    p = P().M(-w, cy)
    p.C(-0.78 * w, cy - 0.45 * (cy - uo), -0.45 * w, uo, -0.2 * w, uo - 0.8)
    p.C(-0.1 * w, uo - 1.0, -0.06 * w, uo + 1.6, 0, uo + 1.8)
    p.C(0.06 * w, uo + 1.6, 0.1 * w, uo - 1.0, 0.2 * w, uo - 0.8)
    p.C(0.45 * w, uo, 0.78 * w, cy - 0.45 * (cy - uo), w, cy)
    p.L(m["wi"], cy)
    inner(p, m, m["up_in"], -1)
    return p.Z()


def lower_lip(rd=0.0, **kw):
    m = mouth_geom(rd=rd, **kw)
    w, cy, lo = m["w"], m["cy"], m["lo_out"]
    kc = 0.62 + 0.3 * rd
    lcy = cy + (lo - cy) * 4.0 / 3.0
    p = P().M(-m["wi"], cy)
    inner(p, m, m["lo_in"], 1)
    p.L(w, cy).C(w * kc, lcy, -w * kc, lcy, -w, cy)
    return p.Z()


def lip_highlight(**kw):
    m = mouth_geom(**kw)
    return P().ellipse(2, lerp(m["lo_in"], m["lo_out"], 0.5), 0.34 * m["w"],
                       0.15 * (m["lo_out"] - m["lo_in"]))


def lip_seam(**kw):
    m = mouth_geom(**kw)
    p = P().M(-m["wi"] - 0.5, m["cy"])
    inner(p, m, m["up_in"] + 0.3, 1)
    return p


def upper_teeth(**kw):
    m = mouth_geom(**kw)
    h = min(7.5, 2.0 + 0.45 * m["o"])
    x0, top = m["wi"] * 0.78, m["up_in"] - 4.0
    bot = top + h + 4.0
    # the row follows the arch: its lower edge dips in the middle
    return (P().M(-x0, top).L(x0, top).L(x0, bot - 1.5)
            .C(x0 * 0.5, bot + 0.5, -x0 * 0.5, bot + 0.5, -x0, bot - 1.5).Z())


def teeth_gap(**kw):
    m = mouth_geom(**kw)
    h = min(7.5, 2.0 + 0.45 * m["o"])
    return P().M(0, m["up_in"] - 1).L(0, m["up_in"] + h - 0.5)


def lower_teeth(**kw):
    m = mouth_geom(**kw)
    return P().rect(-m["wi"] * 0.5, m["lo_in"] - 3.5, m["wi"], 4.5)


def tongue_shape(**kw):
    m = mouth_geom(**kw)
    ty = lerp(m["lo_in"] + 2.0, m["up_in"] + 0.45 * m["o"], m["tongue"]) + 0.2 * m["o"]
    return P().ellipse(0, ty, m["wi"] * 0.62, 0.32 * m["o"] + 3.0)


def ff_teeth(tl=0.0, **kw):
    m = mouth_geom(tl=tl, **kw)
    th = 4.5 * max(tl, 0.0)
    x, u = m["wi"] * 0.62, m["up_in"] - 1.0
    return (P().M(-x, u).L(x, u).C(x, u + th + 1, m["wi"] * 0.5, u + th + 1, 0, u + th + 1)
            .C(-m["wi"] * 0.5, u + th + 1, -x, u + th + 1, -x, u).Z())


def corner(side=1, **kw):
    m = mouth_geom(**kw)
    w, cy, s = m["w"], m["cy"], side
    happy = kw.get("happy", 0.0)
    return (P().M(s * (w + 1.0), cy - 3.0 - 2.5 * happy)
            .C(s * (w + 3.5), cy - 1.0, s * (w + 3.0), cy + 2.0, s * (w + 1.0), cy + 3.0))


def chin_dimple(jaw=0.0, **kw):
    m = mouth_geom(**kw)
    y = m["lo_out"] + 12 + 0.4 * 13.0 * jaw + 0.3 * m["o"]
    return P().M(-13, y).C(-5, y + 3, 5, y + 3, 13, y)


MOUTH_BASE = dict(open=0.0, sp=0.0, rd=0.0, cl=0.0, tl=0.0, happy=0.0, sad=0.0, angry=0.0,
                  tongue=0.0)


def mouth_targets(keys):
    """The standard morph set; keys limits it to the parameters a shape uses."""
    t = [
        (c("mouth_open"), {"open": 1.0}),
        (c("lip_spread"), {"sp": 1.0}),
        (c("lip_round"), {"rd": 1.0}),
        (c("lip_close"), {"cl": 1.0}),
        (c("teeth_lip"), {"tl": 1.0}),
        (c("happy"), {"happy": 1.0}),
        (c("sad"), {"sad": 1.0}),
        (c("angry"), {"angry": 1.0}),
        # surprise drops the jaw a little and rounds the lips, unless speech
        # closes them
        (c("surprised", unless="lip_close"), {"open": 0.25, "rd": 0.35}),
    ]
    return [x for x in t if set(x[1]) <= set(keys)]


def mouth_parts():
    allk = MOUTH_BASE.keys()
    parts = []
    g = "face"
    parts.append(path_part("mouth_cavity", mouth_cavity, MOUTH_BASE, mouth_targets(allk),
                           group=g, fill=hexc(*CAVITY)))
    tongue_t = mouth_targets(allk) + [
        (c("tongue"), {"open": 0.6, "tongue": 1.0}, {"open": 0.6, "tongue": 0.0})]
    parts.append(path_part("tongue", tongue_shape, MOUTH_BASE, tongue_t, group=g,
                           clip="mouth_cavity", fill=hexc(*TONGUE)))
    # the teeth grow with the opening up to 0.47 (then they are all shown)
    teeth_t = [x for x in mouth_targets(allk) if x[0]["control"] != "mouth_open"]
    teeth_t.append((c("mouth_open", range=[0, 0.47]), {"open": 0.47}))
    parts.append(path_part("teeth_upper", upper_teeth, MOUTH_BASE, teeth_t, group=g,
                           clip="mouth_cavity", fill=hexc(*TEETH),
                           drive=[c("mouth_open", range=[0.0, 0.04], opacity=1.0)],
                           opacity=0.0))
    parts.append(path_part("teeth_gap", teeth_gap, MOUTH_BASE, teeth_t, group=g,
                           clip="mouth_cavity", stroke=hexc(*SHIRT_SHADE, 0.9),
                           stroke_width=0.8, line_cap="butt"))
    parts.append(path_part("teeth_lower", lower_teeth, MOUTH_BASE, mouth_targets(allk), group=g,
                           clip="mouth_cavity", fill=hexc(*TEETH), opacity=0.0,
                           drive=[c("mouth_open", range=[0.48, 0.62], opacity=0.85)]))
    parts.append(path_part("lip_upper", upper_lip, MOUTH_BASE, mouth_targets(allk), group=g,
                           fill="lip_upper"))
    parts.append(path_part("lip_lower", lower_lip, MOUTH_BASE, mouth_targets(allk), group=g,
                           fill="lip_lower"))
    parts.append(path_part("lip_highlight", lip_highlight, MOUTH_BASE, mouth_targets(allk),
                           group=g, fill="#ffffff26"))
    parts.append(path_part("teeth_ff", ff_teeth, MOUTH_BASE, mouth_targets(allk), group=g,
                           fill=hexc(*TEETH), opacity=0.0,
                           drive=[c("teeth_lip", range=[0.0, 0.6], opacity=1.0)]))
    parts.append(path_part("lip_seam", lip_seam, MOUTH_BASE, mouth_targets(allk), group=g,
                           stroke=hexc(*LIP_LINE), stroke_width=1.8, opacity=0.85,
                           drive=[c("mouth_open", range=[0.0, 0.23], opacity=-0.85)]))
    for s in (-1, 1):
        base = dict(MOUTH_BASE, side=s)
        parts.append(path_part("mouth_corner_" + ("l" if s < 0 else "r"), corner, base,
                               mouth_targets(allk), group=g, stroke=hexc(*SKIN_LINE),
                               stroke_width=1.4, opacity=0.25,
                               drive=[c("happy", opacity=0.3)]))
    cb = dict(MOUTH_BASE, jaw=0.0)
    parts.append(path_part("chin_dimple", chin_dimple, cb,
                           mouth_targets(allk) + [(c("jaw_open"), {"jaw": 1.0})], group="head",
                           stroke=hexc(*SKIN_LINE, 0.16), stroke_width=2.0))
    return parts


# eyes: s = -1 is the viewer's left eye
EYE_BASE = dict(blink=0.0, happy=0.0, surprised=0.0, angry=0.0, sad=0.0)


def eye_geom(s, blink=0.0, happy=0.0, surprised=0.0, angry=0.0, sad=0.0):
    ex, ey = s * 41.0, -4.0
    ew = 22.5
    ue = 13.5 + 3.5 * surprised - 2.5 * angry - 1.0 * sad
    le = 8.5 - 3.0 * happy + 1.0 * surprised
    e = {}
    e["i"] = (ex - s * ew, ey + 1.5)
    e["o"] = (ex + s * ew, ey - 1.0 + 1.0 * sad)
    e["l1"] = (ex + s * ew * 0.5, ey + le * 4.0 / 3.0)
    e["l2"] = (ex - s * ew * 0.45, ey + le * 4.0 / 3.0)
    ou1 = (ex - s * ew * 0.5, ey - ue * 4.0 / 3.0)
    ou2 = (ex + s * ew * 0.45, ey - ue * 4.0 / 3.0 - 0.5 + 1.5 * angry)
    # closing puts the upper lid onto the resting lower lid
    rl1 = (ex + s * ew * 0.5, ey + 8.5 * 4.0 / 3.0)
    rl2 = (ex - s * ew * 0.45, ey + 8.5 * 4.0 / 3.0)
    e["u1"] = (lerp(ou1[0], rl2[0], blink), lerp(ou1[1], rl2[1], blink))
    e["u2"] = (lerp(ou2[0], rl1[0], blink), lerp(ou2[1], rl1[1], blink))
    e["c"] = (ex, ey)
    return e


def eye_white(s, **kw):
    e = eye_geom(s, **kw)
    return P().M(*e["i"]).C(*e["u1"], *e["u2"], *e["o"]).C(*e["l1"], *e["l2"], *e["i"]).Z()


def eye_upper(s, flick=0.0, **kw):
    e = eye_geom(s, **kw)
    p = P().M(*e["i"]).C(*e["u1"], *e["u2"], *e["o"])
    return p.L(e["o"][0] + s * 4.0 * flick, e["o"][1] - 2.5 * flick)


def eye_lower(s, **kw):
    e = eye_geom(s, **kw)
    return P().M(*e["o"]).C(*e["l1"], *e["l2"], *e["i"])


def eye_crease(s, blink=0.0, surprised=0.0, happy=0.0, angry=0.0, sad=0.0):
    ex, ey = s * 41.0, -4.0 - 2.5 * surprised + 2.0 * blink + 1.0 * angry
    return (P().M(ex - s * 17, ey - 16 + sad).C(ex - s * 8, ey - 23, ex + s * 10, ey - 23,
                                                ex + s * 21, ey - 14))


def eye_targets():
    return [
        (c("blink"), {"blink": 1.0}),
        (c("happy", unless="blink"), {"happy": 1.0}),
        (c("surprised", unless="blink"), {"surprised": 1.0}),
        (c("angry", unless="blink"), {"angry": 1.0}),
        (c("sad", unless="blink"), {"sad": 1.0}),
        (c("relaxed", unless="blink"), {"blink": 0.22}),
    ]


def eye_parts(s):
    side = "l" if s < 0 else "r"
    g = "face"
    base = dict(EYE_BASE, s=s)
    white = "eye_white_" + side
    parts = [
        path_part("eye_crease_" + side, eye_crease, base, eye_targets(), group=g,
                  stroke=hexc(*SKIN_LINE, 0.35), stroke_width=1.3),
        path_part(white, eye_white, base, eye_targets(), group=g, fill=hexc(*EYE_WHITE)),
    ]
    ex, ey = s * 41.0, -3.5
    gaze = [c("gaze_x", translate=[7.5, 0]), c("gaze_y", translate=[0, 4.5])]
    parts.append(part("iris_" + side, {"circle": [0, 0, 11.5]}, group=g, anchor=[ex, ey],
                      clip=white, fill="iris", drive=gaze))
    parts.append(part("pupil_" + side, {"circle": [0, 0, 5.2]}, group=g, anchor=[ex, ey],
                      clip=white, fill=hexc(*PUPIL), drive=gaze))
    parts.append(part("catchlight_" + side, {"circle": [3.6, -3.6, 2.4]}, group=g,
                      anchor=[ex, ey], clip=white, fill="#ffffffeb", drive=gaze))
    up = dict(base, flick=0.0)
    parts.append(path_part("lid_shadow_" + side, eye_upper, up, eye_targets(), group=g,
                           clip=white, stroke=hexc(*LASH, 0.22), stroke_width=7))
    parts.append(path_part("lid_lower_" + side, eye_lower, base, eye_targets(), group=g,
                           stroke=hexc(*SKIN_LINE, 0.5), stroke_width=1.1))
    up = dict(base, flick=1.0)
    parts.append(path_part("lashes_" + side, eye_upper, up, eye_targets(), group=g,
                           stroke=hexc(*LASH), stroke_width=2.8))
    return parts


def brow(s, happy=0.0, surprised=0.0, sad=0.0, angry=0.0):
    lift = 1.5 * happy + 7.0 * surprised
    inner_ = lift + 5.5 * sad - 5.0 * angry
    outer = lift - 2.0 * sad + 1.0 * angry
    xi, yi = s * 15, -37 - inner_
    xa, ya = s * 42, -43 - lift - 1.0 * surprised - 0.5 * angry
    xo, yo = s * 68, -36 - outer
    p = P().M(xi, yi + 3.5)
    p.C(xi + s * 10, yi + 3.0, xa - s * 8, ya + 3.4, xa, ya + 3.2)
    p.C(xa + s * 10, ya + 3.0, xo - s * 7, yo + 1.6, xo, yo + 0.8)
    p.C(xo + s * 1.5, yo + 0.2, xo + s * 1.5, yo - 1.0, xo, yo - 1.2)
    p.C(xo - s * 8, yo - 3.0, xa + s * 10, ya - 4.0, xa, ya - 4.0)
    p.C(xa - s * 9, ya - 4.0, xi + s * 6, yi - 4.0, xi, yi - 3.2)
    p.C(xi - s * 3, yi - 2.0, xi - s * 3, yi + 2.4, xi, yi + 3.5)
    return p.Z()


def brow_parts():
    parts = []
    for s in (-1, 1):
        base = dict(s=s, happy=0.0, surprised=0.0, sad=0.0, angry=0.0)
        t = [(c(k), {k: 1.0}) for k in ("happy", "surprised", "sad", "angry")]
        parts.append(path_part("brow_" + ("l" if s < 0 else "r"), brow, base, t, group="face",
                               fill="brow"))
    return parts


def ear_parts():
    parts = []
    for s in (-1, 1):
        side = "l" if s < 0 else "r"
        ex, ey = s * 99, 14
        parts.append(part("ear_" + side, {"ellipse": [ex, ey, 15, 32]}, group="ears",
                          fill=hexc(*SKIN_SHADE), stroke=hexc(*SKIN_LINE, 0.5),
                          stroke_width=1.2))
        fold = P().M(ex + s * 1, ey - 20).C(ex + s * 11, ey - 18, ex + s * 11, ey + 8,
                                           ex + s * 2, ey + 16)
        parts.append(part("ear_fold_" + side, {"path": str(fold)}, group="ears",
                          stroke=hexc(*SKIN_LINE, 0.45), stroke_width=2.2))
    return parts


def nose_parts():
    g = "nose"
    parts = []
    bridge = P().M(-11, -6).C(-12, 10, -15, 28, -16, 40)
    parts.append(part("nose_bridge", {"path": str(bridge)}, group=g,
                      stroke=hexc(*SKIN_LINE, 0.14), stroke_width=3))
    parts.append(part("nose_shadow", {"ellipse": [0, 60, 15, 4]}, group=g,
                      fill=hexc(*SKIN_LINE, 0.10)))
    parts.append(part("nose_tip", {"ellipse": [2, 43, 7, 6]}, group=g, fill="#ffffff21"))
    alae = P().M(-15, 42).C(-22, 47, -19, 56, -11, 56).C(-6, 60, 6, 60, 11, 56)
    alae.C(19, 56, 22, 47, 15, 42)
    parts.append(part("nose_alae", {"path": str(alae)}, group=g,
                      stroke=hexc(*SKIN_LINE, 0.55), stroke_width=1.8))
    for s in (-1, 1):
        parts.append(part("nostril_" + ("l" if s < 0 else "r"),
                          {"ellipse": [s * 6.5, 55, 3.6, 1.9]}, group=g,
                          fill=hexc(*SKIN_LINE, 0.6)))
    return parts


def hair_parts():
    parts = []
    back = P().M(-104, -20).C(-112, -90, -96, -168, -10, -182)
    back.C(70, -188, 116, -140, 110, -60).C(108, -40, 106, -24, 104, -12)
    back.L(-104, -12).Z()
    parts.append(part("hair_back", {"path": str(back)}, group="head", fill=hexc(*HAIR)))
    return parts


def hair_front_parts():
    parts = []
    shade = P().M(-94, -30).C(-92, -70, -80, -98, -40, -104).C(0, -104, 60, -96, 90, -60)
    parts.append(part("hairline_shadow", {"path": str(shade)}, group="head",
                      stroke=hexc(*SKIN_LINE, 0.16), stroke_width=9))
    h = P().M(-100, -6).C(-104, -36, -108, -66, -107, -92)
    h.C(-106, -140, -70, -174, -14, -177).C(44, -180, 96, -158, 106, -112)
    h.C(111, -84, 106, -40, 101, -6).L(95, -12).C(94, -30, 92, -50, 88, -68)
    h.C(74, -90, 44, -104, 8, -106).C(-24, -108, -46, -104, -60, -110)
    h.C(-76, -104, -90, -80, -91, -50).C(-92, -34, -93, -22, -94, -12).Z()
    parts.append(part("hair", {"path": str(h)}, group="head", fill="hair"))
    sheen = P().M(-70, -150).C(-40, -170, 30, -172, 80, -140).C(40, -152, -20, -154, -70, -150).Z()
    parts.append(part("hair_sheen", {"path": str(sheen)}, group="head", fill="#ffffff1c"))
    strands = P().M(-40, -166).C(0, -164, 50, -152, 92, -118)
    strands.M(-40, -146).C(0, -142, 40, -130, 76, -98)
    strands.M(-44, -126).C(-10, -124, 24, -116, 50, -104)
    strands.M(-74, -152).C(-92, -134, -100, -108, -102, -74)
    parts.append(part("hair_strands", {"path": str(strands)}, group="head",
                      stroke=hexc(*HAIR_LIGHT, 0.5), stroke_width=2))
    parting = P().M(-60, -110).C(-61, -128, -60, -146, -56, -164)
    parts.append(part("hair_parting", {"path": str(parting)}, group="head",
                      stroke=hexc(*PUPIL, 0.4), stroke_width=1.8))
    return parts


def rig():
    paints = {
        "neck_shadow": {"linear": [0, 360, 0, 430],
                        "stops": [[0, hexc(*SKIN_LINE, 0.55)], [1, hexc(*SKIN_LINE, 0.0)]]},
        "suit": {"linear": [0, 450, 0, 720],
                 "stops": [[0, hexc(*SUIT_LIGHT)], [0.45, hexc(*SUIT)],
                           [1, hexc(*mix(SUIT, SUIT_EDGE, 0.5))]]},
        "tie": {"linear": [X - 20, 506, X + 20, 676],
                "stops": [[0, hexc(*mix(TIE, (1, 1, 1), 0.12))], [1, hexc(*TIE)]]},
        "pin": {"radial": [X - 106, 564, 0, X - 104, 566, 5],
                "stops": [[0, "#fff4c8"], [1, "#b8902e"]]},
        "skin": {"radial": [-18, -30, 30, 0, 0, 175],
                 "stops": [[0, hexc(*SKIN)], [0.6, hexc(*SKIN)], [1, hexc(*SKIN_SHADE)]]},
        "hair": {"linear": [-70, -185, 50, -40],
                 "stops": [[0, hexc(*HAIR_LIGHT)], [0.55, hexc(*HAIR)],
                           [1, hexc(*mix(HAIR, PUPIL, 0.4))]]},
        "iris": {"radial": [0, 0, 0, 0, 0, 11.5],
                 "stops": [[0, "#94663a"], [0.65, "#6e4726"], [1, "#331f12"]]},
        "blush": {"radial": [0, 0, 0, 0, 0, 26],
                  "stops": [[0, "#f0908a40"], [1, "#f0908a00"]]},
        "lip_upper": {"linear": [0, 70, 0, 88],
                      "stops": [[0, hexc(*mix(LIP_UP, (1, 1, 1), 0.05))], [1, hexc(*LIP_UP)]]},
        "lip_lower": {"linear": [0, 86, 0, 100],
                      "stops": [[0, hexc(*LIP_LO)], [1, hexc(*mix(LIP_LO, LIP_UP, 0.5))]]},
        "brow": hexc(*HAIR),
    }
    groups = [
        {"name": "body", "drive": [c("breath", translate=[0, -3])]},
        {"name": "head", "parent": "body", "anchor": [X, 282], "pivot": [0, 205],
         "drive": [c("head_roll", rotate=1.0), c("breath", translate=[0, 0.6]),
                   c("head_yaw", translate=[25, 0]), c("head_pitch", translate=[0, 30])]},
        {"name": "ears", "parent": "head",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[-52, 0]),
                   c("head_pitch", clamp=PITCH_CLAMP, translate=[0, 55])]},
        {"name": "face", "parent": "head",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[130, 0]),
                   c("head_pitch", clamp=PITCH_CLAMP, translate=[0, 110])]},
        {"name": "nose", "parent": "face",
         "drive": [c("head_yaw", clamp=YAW_CLAMP, translate=[45.5, 0])]},
    ]
    parts = body_parts()
    parts += hair_parts()
    parts += ear_parts()
    face = path_part("face", face_outline, dict(jaw=0.0, yaw=0.0),
                     [(c("jaw_open"), {"jaw": 1.0}), (c("head_yaw"), {"yaw": 1.0})],
                     group="head", fill="skin", stroke=hexc(*SKIN_LINE, 0.35), stroke_width=1.5)
    parts.append(face)
    for s in (-1, 1):
        parts.append(part("cheek_" + ("l" if s < 0 else "r"), {"circle": [0, 0, 26]},
                          group="face", anchor=[s * 62, 38], fill="blush", opacity=0.35,
                          drive=[c("happy", opacity=0.6, translate=[0, -4])]))
    parts += nose_parts()
    parts += mouth_parts()
    parts += eye_parts(-1) + eye_parts(1)
    parts += brow_parts()
    parts += hair_front_parts()
    return {
        "format": "shuzi-rig-2d",
        "version": 1,
        "name": "presenter",
        "description": "a presenter in a navy suit, upper body (bank, live selling)",
        "style": "vector, soft shading",
        "canvas": [1280, 720],
        "paints": paints,
        "groups": groups,
        "parts": parts,
    }


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out = os.path.join(root, "assets", "avatars", "presenter")
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "avatar.json"), rig())
    print("wrote", os.path.normpath(os.path.join(out, "avatar.json")))
