#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build a shipped sample host portrait from a CC BY 4.0 composite face photo.

Input: a 1350x1350 composite (plain grey background, ghosting at the hair and the
collar because it averages four people) and its Psychomorph .tem (189 points).
Output, under assets/avatars/<name>/:
  portrait.png    RGBA cut-out at the original size and pixel coordinates
  landmarks.tem   a copy of the .tem (the landmarks still apply)
  PROVENANCE.md   source, credit, licence, changes, consent statement

Steps: estimate the background, measure how strongly each pixel differs from it,
keep one dense silhouette (hair/face/neck), smooth it and give it a 1-3 px
anti-aliased edge, decontaminate the edge colours, and replace the ghosted
collar/shoulders with a painted dark top. Deterministic (fixed seed).

Usage (from the repository root):
  python3 tools/avatars/photo_host.py --face ../shared/data/faces/composite/f_easian.jpg --name mei
"""
import argparse
import os
import shutil
import sys

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

CREDIT = ("DeBruine, Lisa (2016): Young adult composite faces. figshare. "
          "doi:10.6084/m9.figshare.4055130.v1")
CONSENT = ("All individuals gave signed consent for their images to be used in lab-based "
           "and web-based studies in their original or altered forms and to illustrate "
           "research (e.g., in scientific journals, news media or presentations).")

HAIR_T = 0.85
SKIN_T = 0.45

# garment colours (sRGB 0..255) per style
TOPS = {
    "navy": (34, 41, 62),
    "charcoal": (44, 45, 50),
}


def read_tem(path):
    with open(path) as f:
        tok = f.read().split()
    n = int(tok[0])
    pts = np.array([float(t) for t in tok[1:1 + 2 * n]], dtype=np.float64).reshape(n, 2)
    return pts


def lum(img):
    return img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114


def norm_blur(values, weight, sigma):
    """Normalised convolution: weighted Gaussian average of values (H,W,C)."""
    w = ndi.gaussian_filter(weight, sigma)
    out = np.empty_like(values)
    for c in range(values.shape[2]):
        out[..., c] = ndi.gaussian_filter(values[..., c] * weight, sigma)
    return out / np.maximum(w, 1e-6)[..., None], w


def disk(r):
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    return (x * x + y * y) <= r * r + 0.5


def largest_component(mask):
    lab, n = ndi.label(mask)
    if n <= 1:
        return mask
    sizes = ndi.sum(mask, lab, range(1, n + 1))
    return lab == (1 + int(np.argmax(sizes)))


def signed_distance(mask):
    """Positive inside, negative outside (pixels), ~0 at the boundary."""
    inside = ndi.distance_transform_edt(mask)
    outside = ndi.distance_transform_edt(~mask)
    return np.where(mask, inside - 0.5, -(outside - 0.5))


def subpixel_sd(mask):
    """Signed distance with sub-pixel accuracy near the boundary (from a slightly
    blurred mask), so the anti-aliased edge has no stair steps."""
    sd_bin = signed_distance(mask)
    f = ndi.gaussian_filter(mask.astype(np.float32), 1.2)
    gy, gx = np.gradient(f)
    gm = np.hypot(gx, gy)
    sd_sub = (f - 0.5) / np.maximum(gm, 0.05)
    sd_sub = np.clip(sd_sub, sd_bin - 1.0, sd_bin + 1.0)
    return np.where((np.abs(sd_bin) < 2.5) & (gm > 0.05), sd_sub, sd_bin)


def polygon_mask(shape, poly):
    from PIL import ImageDraw
    im = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(im).polygon([tuple(p) for p in poly], fill=1)
    return np.asarray(im).astype(bool)


def estimate_background(img, pts):
    """Smooth per-pixel background colour from pixels clearly away from the person."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    # border colour statistics
    border = np.concatenate([img[:40].reshape(-1, 3), img[:, :40].reshape(-1, 3),
                             img[:, -40:].reshape(-1, 3)])
    ref = np.median(border, axis=0)
    # candidate background: close in colour to the border and not too dark
    d = np.abs(img - ref).max(axis=2)
    cand = (d < 28) & (lum(img) > lum(ref[None, None, :])[0, 0] - 25)
    # exclude the face region generously
    c = pts[[0, 1]].mean(axis=0)
    ipd = np.linalg.norm(pts[1] - pts[0])
    face = ((xx - c[0]) / (2.0 * ipd)) ** 2 + ((yy - c[1] + 0.5 * ipd) / (2.6 * ipd)) ** 2 < 1
    cand &= ~face
    cand = ndi.binary_erosion(cand, disk(6))
    # the garment region (bottom) is not background
    cand[int(pts[129, 1]):] &= False
    cand[:, :30] |= True  # side borders above the shoulders are background
    cand[:, -30:] |= True
    cand[int(pts[129, 1] + 0.2 * ipd):] = False
    # low-resolution normalised convolution
    s = 4
    small = img[::s, ::s]
    wsm = cand[::s, ::s].astype(np.float32)
    est, wt = norm_blur(small, wsm, 18)
    # fill regions with little support by a wider blur
    est2, _ = norm_blur(small, wsm, 60)
    k = np.clip(wt / 0.05, 0, 1)[..., None]
    est = est * k + est2 * (1 - k)
    bg = np.stack([ndi.zoom(est[..., ch], s, order=1)[:h, :w] for ch in range(3)], axis=2)
    if bg.shape[0] < h or bg.shape[1] < w:
        bg = np.pad(bg, ((0, h - bg.shape[0]), (0, w - bg.shape[1]), (0, 0)), mode="edge")
    return bg


def density(img, bg):
    """Per-pixel difference from the background, 0 = background, ~1 = opaque person.

    Returns (d_lum, d_chroma): luminance darkening (hair) and chroma shift (skin)."""
    lb = lum(bg)
    li = lum(img)
    d_l = (lb - li) / np.maximum(lb - 45.0, 1.0)
    ci = img - li[..., None]
    cb = bg - lb[..., None]
    d_c = np.sqrt(((ci - cb) ** 2).sum(axis=2)) / 55.0
    return np.clip(d_l, -0.5, 1.5), np.clip(d_c, 0, 1.5)


def hair_envelope(solid, pts, ipd):
    """Above the eyes, replace the ragged (ghosted) head outline by a smooth one.

    The outline is sampled as a radius per angle around the head centre; a low
    running percentile picks the inner, dense layer of the averaged hair, and a
    Gaussian over the angle smooths it into one believable silhouette."""
    h, w = solid.shape
    c = np.array([pts[[0, 1], 0].mean(), pts[[0, 1], 1].mean() + 0.35 * ipd])
    n = 720
    th = np.linspace(-np.pi, np.pi, n, endpoint=False)   # 0 = image right, -pi/2 = up
    rmax = 3.5 * ipd
    rs = np.arange(0, rmax, 0.5)
    X = c[0] + np.cos(th)[:, None] * rs[None, :]
    Y = c[1] + np.sin(th)[:, None] * rs[None, :]
    inside = ndi.map_coordinates(solid.astype(np.float32), [Y, X], order=1, cval=0) > 0.5
    # outermost contiguous run from the centre
    first_out = np.argmax(~inside, axis=1)
    first_out[inside.all(axis=1)] = len(rs) - 1
    r = rs[first_out]
    r_low = ndi.percentile_filter(r, 25, size=31, mode="wrap")
    r_s = ndi.gaussian_filter1d(r_low, 6, mode="wrap")
    r_s = np.minimum(r_s, r + 2.0)  # never grow into background
    yy, xx = np.mgrid[0:h, 0:w]
    ang = np.arctan2(yy - c[1], xx - c[0])
    rad = np.hypot(xx - c[0], yy - c[1])
    idx = ((ang + np.pi) / (2 * np.pi) * n).astype(int) % n
    env = rad <= r_s[idx]
    y_eye = pts[[0, 1], 1].mean()
    top_part = yy < y_eye - 0.1 * ipd
    return np.where(top_part, env, solid)


def neck_edges(solid, y, cx, max_half):
    row = solid[int(y)]
    x0 = int(cx)
    left = x0
    while left > x0 - max_half and row[left - 1]:
        left -= 1
    right = x0
    while right < x0 + max_half and row[right + 1]:
        right += 1
    return left, right


def garment_top(pts, w, neckL, neckR, yj, ipd, cx, depth_ipd=0.62):
    """y of the garment's upper edge for every column (neckline + shoulders)."""
    xs = np.arange(w, dtype=np.float64)
    y = np.empty(w)
    a_l = cx - neckL + 0.06 * ipd   # neckline half widths
    a_r = neckR - cx + 0.06 * ipd
    depth = depth_ipd * ipd
    for i, x in enumerate(xs):
        if x < cx:
            u = (cx - x) / a_l
            side_w = cx - a_l  # distance from neckline corner to image edge
            t = (cx - a_l - x) / max(side_w, 1.0)
        else:
            u = (x - cx) / a_r
            side_w = (w - 1) - (cx + a_r)
            t = (x - (cx + a_r)) / max(side_w, 1.0)
        if u < 1.0:
            # scoop neckline: lower half of an ellipse, flattened at the bottom
            y[i] = yj + 0.04 * ipd + depth * (1.0 - u ** 2.4) ** 0.5
        else:
            # shoulder: the trapezius falls steeply from the neck and flattens over the
            # shoulder (concave), then the deltoid rounds down into the arm at the side
            r = abs(x - cx) / ipd
            r0 = (a_l if x < cx else a_r) / ipd
            s_ = min(max((r - r0) / max(2.75 - r0, 0.3), 0.0), 1.6)
            y[i] = yj + 0.06 * ipd + 0.58 * ipd * (1.0 - (1.0 - min(s_, 1.0)) ** 1.8)
            if s_ > 0.75:
                y[i] += 0.9 * ipd * (s_ - 0.75) ** 2
    slope = np.gradient(y)
    neckline = (xs > cx - a_l - 2) & (xs < cx + a_r + 2)
    return y, np.abs(slope), neckline


def paint_garment(shape, top, neckline, pts, ipd, cx, colour, rng, grain):
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array(colour, dtype=np.float32)
    # body is a rough cylinder lit from the front / slightly above
    u = (xx - cx) / (w * 0.55)
    shade = 0.80 + 0.32 * np.clip(np.cos(np.clip(u, -1.2, 1.2) * np.pi / 2.4), 0, 1) ** 1.3
    # depth below the garment edge
    dy = yy - top[None, :].astype(np.float32)
    # shoulder tops catch the light (surfaces facing up)
    side = np.clip((np.abs(xx - cx) - 1.2 * ipd) / (0.8 * ipd), 0, 1)
    shade += 0.18 * side * np.exp(-np.clip(dy, 0, None) / (0.35 * ipd))
    # a darker fold where the sleeve meets the chest
    for sgn in (-1, 1):
        fx = cx + sgn * 2.55 * ipd
        shade -= 0.10 * np.exp(-((xx - fx) / (0.28 * ipd)) ** 2) * np.clip((yy - top.min() - 0.5 * ipd) / ipd, 0, 1)
    # soft drape folds from the armpits towards the chest (lit upper flank, shaded lower flank)
    y0 = float(top.min())
    folds = [(-2.45, 1.05, -1.25, 1.75, 0.10), (-2.3, 1.45, -1.45, 1.95, 0.07),
             (2.5, 1.0, 1.3, 1.7, 0.10), (2.35, 1.5, 1.5, 2.0, 0.07)]
    for x0, ya, x1, yb, amp in folds:
        p0 = np.array([cx + x0 * ipd, y0 + ya * ipd])
        p1 = np.array([cx + x1 * ipd, y0 + yb * ipd])
        d = p1 - p0
        L = np.hypot(*d)
        t = ((xx - p0[0]) * d[0] + (yy - p0[1]) * d[1]) / (L * L)
        nrm = ((xx - p0[0]) * -d[1] + (yy - p0[1]) * d[0]) / L  # signed distance to the axis
        env = np.exp(-((t - 0.45) / 0.38) ** 2)  # fades out at both ends
        wd = 0.09 * ipd
        shade += amp * env * (np.exp(-((nrm + 0.6 * wd) / wd) ** 2) - 1.2 * np.exp(-((nrm - 0.7 * wd) / wd) ** 2))
    # soft low-frequency folds / fabric unevenness
    lf = rng.standard_normal((h // 8 + 2, w // 8 + 2)).astype(np.float32)
    lf = ndi.gaussian_filter(lf, (3.0, 5.0))
    lf /= lf.std() + 1e-6
    lf = ndi.zoom(lf, 8, order=3)[:h, :w]
    shade += 0.045 * lf
    # neckband: a slightly raised, lighter rib along the neckline, with an inner shadow
    band = 0.075 * ipd
    nk = ndi.gaussian_filter1d(neckline.astype(np.float32), 6)[None, :]
    shade += 0.10 * nk * np.exp(-((dy - 0.35 * band) / (0.45 * band)) ** 2)
    shade -= 0.10 * nk * np.exp(-((dy - 1.3 * band) / (0.35 * band)) ** 2)
    # outer shoulder edge: the cloth turns away from the light, a touch darker
    shade -= 0.06 * (1 - nk) * np.exp(-np.clip(dy, 0, None) / 3.0)
    # darker towards the bottom (light falls off)
    shade *= 1.0 - 0.12 * np.clip((yy - top.min()) / (h - top.min()), 0, 1)
    # light in linear space, back to sRGB
    lin = (base / 255.0) ** 2.2
    out = lin[None, None, :] * shade[..., None] ** 2.2
    out = 255.0 * np.clip(out, 0, 1) ** (1 / 2.2)
    # fine fabric texture + photo grain
    tex = ndi.gaussian_filter(rng.standard_normal((h, w)).astype(np.float32), 0.8)
    tex /= tex.std() + 1e-6
    out += (1.6 * tex)[..., None]
    out += rng.standard_normal((h, w, 3)).astype(np.float32) * grain * 0.6
    out += rng.standard_normal((h, w, 1)).astype(np.float32) * grain * 0.8
    return out


def build(face_path, tem_path, style, seed, neck_depth=0.62, debug_dir=None):
    img = np.asarray(Image.open(face_path).convert("RGB")).astype(np.float32)
    h, w = img.shape[:2]
    pts = read_tem(tem_path)
    rng = np.random.default_rng(seed)
    ipd = float(np.linalg.norm(pts[1] - pts[0]))
    cx = float(pts[[0, 1, 129], 0].mean())
    chin_y = float(pts[129, 1])
    yy, xx = np.mgrid[0:h, 0:w]

    bg = estimate_background(img, pts)
    d_l, d_c = density(img, bg)
    dens = np.maximum(d_l, d_c)
    # photo grain from the background's high frequencies
    hf = img[40:240, 40:240] - ndi.gaussian_filter(img[40:240, 40:240], (3, 3, 0))
    grain = float(np.clip(hf.std(), 0.8, 4.0))

    # --- person silhouette above the garment -------------------------------
    # hair: only where the four averaged heads overlap densely (no ghost layers);
    # skin: clear chroma shift (ghost skin layers are weaker)
    hair = ndi.gaussian_filter(d_l, 2.0) > HAIR_T
    skin = ndi.gaussian_filter(d_c, 2.0) > SKIN_T
    dense = hair | skin
    face_poly = pts[[109, 115, 116, 117, 118, 119, 111, 125, 126, 127, 128, 129, 130, 131,
                     132, 133, 114, 124, 123, 122, 121, 120, 112, 144, 143, 142, 141, 140,
                     139, 138, 137, 136, 135, 134]]
    face = polygon_mask((h, w), face_poly)
    solid = dense | face
    solid = ndi.binary_closing(solid, disk(4))
    solid = ndi.binary_fill_holes(solid)
    # remove thin wisps (stray strands, single ghost hairs)
    solid = ndi.binary_opening(solid, disk(9)) | face
    solid = largest_component(solid)
    solid = ndi.binary_fill_holes(solid)
    solid = hair_envelope(solid, pts, ipd)

    # neck width a little below the chin (above the ghosted trapezius)
    yj = chin_y + 0.42 * ipd
    y_meas = chin_y + 0.18 * ipd
    neck_skin = ndi.binary_opening(skin, disk(5)) | face
    l, r = neck_edges(neck_skin, y_meas, cx, int(2.2 * ipd))
    neckL, neckR = float(l), float(r)
    top, slope, neckline = garment_top(pts, w, neckL, neckR, yj, ipd, cx, neck_depth)

    # garment region: anti-aliased from the analytic edge (~1.3 px)
    g_dist = (yy - top[None, :]) / np.sqrt(1.0 + np.minimum(slope, 30.0) ** 2)[None, :]
    gmask = g_dist >= 0
    g_alpha = np.clip(0.5 + g_dist / 1.3, 0, 1)

    # below the chin only the neck: clamp to the measured neck width, flaring
    # (concave) into the shoulders just above the garment
    ncx = 0.5 * (neckL + neckR)
    hw0 = 0.5 * (neckR - neckL)
    y_f = yj - 0.22 * ipd
    hw = hw0 + 1.1 * np.clip(yy - y_f, 0, None) ** 2 / ipd
    neck_ok = (yy < chin_y) | (np.abs(xx - ncx) <= hw) | ndi.binary_dilation(face, disk(3))
    person = solid & neck_ok & ~gmask
    person = largest_component(person | (gmask & (g_dist < 8)))
    person &= ~gmask | (g_dist < 8)
    # jaw and neck: close small dents (shadowed skin has little chroma)
    low = yy > pts[[111, 114], 1].max()
    person = np.where(low, ndi.binary_closing(person, disk(10)), person)
    # hair contour: smooth the silhouette (no ragged ghost steps)
    f = ndi.gaussian_filter(person.astype(np.float32), 5.0)
    person = f > 0.5
    person = ndi.binary_fill_holes(person)
    sd = subpixel_sd(person)
    # hair: a slightly wider, finely irregular edge (fibres), not a scissor cut
    y_eye = float(pts[[0, 1], 1].mean())
    hair_zone = np.clip((y_eye - yy) / (0.3 * ipd), 0, 1)
    fib = rng.standard_normal((h, w)).astype(np.float32)
    fib = ndi.gaussian_filter(fib, 1.0)
    fib /= fib.std() + 1e-6
    sd = sd + 0.45 * hair_zone * fib * (np.abs(sd) < 3)
    sd = sd / (1.0 + 0.35 * hair_zone)

    alpha = np.clip(0.5 + sd / 2.2, 0, 1)
    # a little of the real hair texture in the outermost pixel ring
    ring = (sd > -1.5) & (sd < 1.5) & ~gmask
    a_tex = np.clip(ndi.gaussian_filter(dens, 0.7) / 0.8, 0, 1)
    alpha = np.where(ring, np.clip(alpha * (0.8 + 0.2 * a_tex), 0, 1), alpha)
    alpha_p = alpha  # person only (no garment)
    alpha = np.maximum(alpha_p, g_alpha)
    g_sd = g_dist

    # --- edge colour decontamination -----------------------------------------
    interior = (sd > 6.0) & ~gmask
    prop, wsum = norm_blur(img, interior.astype(np.float32), 4.0)
    prop2, _ = norm_blur(img, interior.astype(np.float32), 10.0)
    k = np.clip(wsum / 0.15, 0, 1)[..., None]
    prop = prop * k + prop2 * (1 - k)
    band = (sd <= 6.0) & (alpha > 0) & ~gmask
    # colour unmixing: treat each edge pixel as a blend of the local background B
    # and the interior colour P; a = projection of (I - B) on (P - B), F = B + (I - B) / a.
    # Pixels as dark as the interior stay as they are (a >= 1), lighter ones
    # (background/glow contaminated) are pulled to the person's colour.
    d_ib = img - bg
    d_pb = prop - bg
    a_est = (d_ib * d_pb).sum(axis=2) / np.maximum((d_pb * d_pb).sum(axis=2), 25.0)
    a_est = np.clip(a_est, 0.35, 1.0)
    fg = bg + d_ib / a_est[..., None]
    # outermost pixels: mostly the interior colour (noise is amplified there)
    w_p = np.clip((1.0 - sd) / 2.0, 0, 1)[..., None]
    fg = fg * (1 - w_p) + prop * w_p
    fg = np.clip(fg, 0, 255)
    w_f = np.clip((6.0 - sd) / 2.5, 0, 1)[..., None]
    colour = img.copy()
    mixed = img * (1 - w_f) + fg * w_f
    colour = np.where(band[..., None], mixed, colour)

    # background pockets caught inside the silhouette (e.g. between ear and head):
    # fill them from the surrounding person pixels
    bgness = np.clip((0.30 - np.maximum(d_l, d_c)) / 0.15, 0, 1)
    bgness *= (alpha_p > 0) & ~ndi.binary_dilation(face, disk(6)) & ~gmask
    bgness = ndi.gaussian_filter(bgness, 1.0)
    src = (1.0 - bgness) * (alpha_p > 0.99)
    fill, _ = norm_blur(colour, src.astype(np.float32), 5.0)
    colour = colour * (1 - bgness[..., None]) + fill * bgness[..., None]

    # --- garment --------------------------------------------------------------
    garment = paint_garment((h, w), top, neckline, pts, ipd, cx, TOPS[style], rng, grain)
    # soft contact shadow of the neckline on the skin just above it
    above = np.clip(-g_sd, 0, None)
    sh = 1.0 - 0.22 * np.exp(-above / (0.035 * ipd)) * (g_sd < 0)
    colour = colour * sh[..., None]
    # under the garment's soft edge: the person where there is one, else the
    # garment itself (never the old background, which would make a grey fringe)
    under = colour * alpha_p[..., None] + garment * (1 - alpha_p[..., None])
    colour = under * (1 - g_alpha[..., None]) + garment * g_alpha[..., None]
    # match the photo's softness at the garment edge
    colour = np.clip(colour, 0, 255)

    rgba = np.dstack([colour, alpha * 255.0])
    rgba = np.clip(np.round(rgba), 0, 255).astype(np.uint8)
    rgba[alpha <= 0.0] = 0  # fully transparent pixels carry no colour
    if debug_dir:
        os.makedirs(debug_dir, exist_ok=True)
        Image.fromarray(np.clip(dens * 170, 0, 255).astype(np.uint8)).save(
            os.path.join(debug_dir, "density.png"))
        Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8)).save(
            os.path.join(debug_dir, "bg.png"))
    return rgba


def write_provenance(path, face_rel, name, style):
    top = {"navy": "dark navy", "charcoal": "charcoal"}[style]
    text = f"""# Sample host `{name}`: provenance

`portrait.png` and `landmarks.tem` are derived from the composite face
`{os.path.basename(face_rel)}` (with its landmark file `{os.path.splitext(os.path.basename(face_rel))[0]}.tem`)
of the Face Research Lab "Young adult composite faces" set. Each composite is the average of
four young adults; it is not a photograph of any single person.

Credit: {CREDIT}

Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).

## Changes made (as CC BY 4.0 requires us to indicate)
- Background removed: the person is cut out onto a transparent background (alpha channel)
  with a soft 1-3 px anti-aliased edge; edge colours were decontaminated so that no grey or
  light fringe from the original background remains.
- The ghosted hair outline (from averaging four people) was reduced to a single smoothed hair
  silhouette; loose semi-transparent strands over the background were removed.
- The ghosted collar and shoulders were replaced by a painted plain {top} top with a round
  neckline, shaded and given grain to match the photograph; the skin just above the neckline
  was slightly darkened as the garment's contact shadow.
- Small background pockets inside the silhouette (e.g. between ear and hair) were filled from
  the surrounding hair/skin colours.
- The face, neck and hair pixels inside the silhouette are the original photograph's; image
  size and pixel coordinates are unchanged, so `landmarks.tem` is an unmodified copy of the
  composite's template.
- Generated by `tools/avatars/photo_host.py` (see `tools/avatars/README.md`).

## Consent
The publisher states: "{CONSENT}"
The composite blends four such people.

## Commercial use
This host is a sample. Commercial deployments should build their host from a portrait they
hold the rights to: `shuzi avatar create --photo PATH -o DIR`.
"""
    with open(path, "w") as f:
        f.write(text)


def preview(rgba, path):
    """Side by side over mid blue and white, for a visual check."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    c = rgba[..., :3].astype(np.float32)
    outs = []
    for bgc in ((40, 90, 170), (255, 255, 255)):
        outs.append(c * a + np.array(bgc, np.float32) * (1 - a))
    im = np.concatenate(outs, axis=1)
    Image.fromarray(np.clip(np.round(im), 0, 255).astype(np.uint8)).save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--face", required=True, help="composite JPEG (its .tem must sit beside it)")
    ap.add_argument("--name", required=True, help="host name (output folder)")
    ap.add_argument("--out", default=None, help="output root (default: assets/avatars)")
    ap.add_argument("--top", default=None, choices=sorted(TOPS), help="garment colour")
    ap.add_argument("--neckline", type=float, default=None,
                    help="neckline depth below the neck base, in pupil distances "
                         "(default 0.62 for f_ composites, 0.40 for m_)")
    ap.add_argument("--seed", type=int, default=None, help="noise seed (default from name)")
    ap.add_argument("--preview", default=None, help="also write a preview PNG here")
    ap.add_argument("--debug", default=None, help="write intermediate maps to this folder")
    args = ap.parse_args(argv)

    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    out_root = args.out or os.path.join(repo, "assets", "avatars")
    tem = os.path.splitext(args.face)[0] + ".tem"
    if not os.path.exists(tem):
        sys.exit(f"missing landmark file {tem}")
    style = args.top or ("navy" if os.path.basename(args.face).startswith("f_") else "charcoal")
    seed = args.seed if args.seed is not None else sum(ord(ch) * (i + 1) for i, ch in enumerate(args.name))

    male = os.path.basename(args.face).startswith("m_")
    depth = args.neckline if args.neckline is not None else (0.40 if male else 0.62)
    rgba = build(args.face, tem, style, seed, depth, args.debug)
    out_dir = os.path.join(out_root, args.name)
    os.makedirs(out_dir, exist_ok=True)
    Image.fromarray(rgba, "RGBA").save(os.path.join(out_dir, "portrait.png"), optimize=True)
    shutil.copyfile(tem, os.path.join(out_dir, "landmarks.tem"))
    write_provenance(os.path.join(out_dir, "PROVENANCE.md"), args.face, args.name, style)
    if args.preview:
        preview(rgba, args.preview)
    print(f"wrote {out_dir}/portrait.png, landmarks.tem, PROVENANCE.md")


if __name__ == "__main__":
    main()
