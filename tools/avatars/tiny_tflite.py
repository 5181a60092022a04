#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tiny_tflite.py: writes two tiny TensorFlow Lite models that together use
every operator of the face landmark interpreter (avatar/landmarks/tflite*.c),
and prints their expected outputs computed here in plain Python (an
independent reference for tests/test_landmarks.c).

    python3 tools/avatars/tiny_tflite.py fuzz/corpus/fuzz_tflite/tiny.tflite \
        fuzz/corpus/fuzz_tflite/tiny_mediapipe.tflite

The flatbuffers (and the flexbuffer options of the custom operator) are laid
out by hand from the published formats: no dependency beyond the standard
library.
  tiny.tflite: the builtin convolution-network operators. Input x[1,5,5,2],
    x[i] = ((i * 7) % 11 - 5) / 4 in NHWC order. Output [1,4].
  tiny_mediapipe.tflite: MUL, STRIDED_SLICE, RESHAPE, CONCATENATION and
    MediaPipe's Landmarks2TransformMatrix, TransformTensorBilinear and
    TransformLandmarks. Inputs lm[1,12,3], lm[i] = (i * 5) % 13 * 0.75 +
    (i % 3) * 0.5, and feat[1,6,6,2], feat[i] = ((i * 7) % 17 - 8) / 8.
    Output [1,12].
"""
import math
import struct
import sys

# ---- a forward flatbuffer writer ---------------------------------------------


class Table:
    def __init__(self, fields):
        self.fields = fields  # list of (slot, kind, value); kind: u8 i8 i32 u32 off


class Vec:
    def __init__(self, kind, items):
        self.kind = kind  # i32 u8 f32 f16 table
        self.items = items


class Str:
    def __init__(self, s):
        self.s = s.encode()


class Writer:
    def __init__(self):
        self.b = bytearray()

    def align(self, n):
        while len(self.b) % n:
            self.b.append(0)

    def emit(self, obj):
        if isinstance(obj, Table):
            return self.emit_table(obj)
        if isinstance(obj, Str):
            self.align(4)
            pos = len(self.b)
            self.b += struct.pack('<I', len(obj.s)) + obj.s + b'\0'
            return pos
        if obj.kind == 'table':
            self.align(4)
            pos = len(self.b)
            self.b += struct.pack('<I', len(obj.items))
            slots = []
            for _ in obj.items:
                slots.append(len(self.b))
                self.b += b'\0\0\0\0'
            for slot, item in zip(slots, obj.items):
                child = self.emit(item)
                struct.pack_into('<I', self.b, slot, child - slot)
            return pos
        # scalars: the data 16-byte aligned (the length word just before)
        while (len(self.b) + 4) % 16:
            self.b.append(0)
        pos = len(self.b)
        self.b += struct.pack('<I', len(obj.items))
        fmt = {'i32': '<i', 'u8': '<B', 'f32': '<f', 'f16': '<e'}[obj.kind]
        for v in obj.items:
            self.b += struct.pack(fmt, v)
        return pos

    def emit_table(self, t):
        size = {'u8': 1, 'i8': 1, 'i32': 4, 'u32': 4, 'off': 4}
        n_slots = max([s for s, _, _ in t.fields] + [-1]) + 1
        # table layout: soffset, then fields 4-aligned in order given
        offs, at = {}, 4
        for slot, kind, _ in t.fields:
            w = size[kind]
            at = (at + w - 1) // w * w
            offs[slot] = at
            at += w
        tsize = (at + 3) // 4 * 4
        self.align(4)
        vt = len(self.b)
        self.b += struct.pack('<HH', 4 + 2 * n_slots, tsize)
        for s in range(n_slots):
            self.b += struct.pack('<H', offs.get(s, 0))
        self.align(4)
        pos = len(self.b)
        self.b += bytes(tsize)
        struct.pack_into('<i', self.b, pos, pos - vt)
        pending = []
        for slot, kind, v in t.fields:
            p = pos + offs[slot]
            if kind == 'off':
                pending.append((p, v))
            else:
                fmt = {'u8': '<B', 'i8': '<b', 'i32': '<i', 'u32': '<I'}[kind]
                struct.pack_into(fmt, self.b, p, v)
        for p, child in pending:
            c = self.emit(child)
            struct.pack_into('<I', self.b, p, c - p)
        return pos


# ---- the model -----------------------------------------------------------------

def seq(n, a, b, m):
    return [((i * a) % m - (m // 2)) / b for i in range(n)]


X_SHAPE = [1, 5, 5, 2]
X = seq(50, 7, 4.0, 11)
CONV_W = seq(3 * 3 * 3 * 2, 5, 8.0, 13)       # [3,3,3,2]
CONV_B = [0.25, -0.5, 0.125]
DW_W = [round(v, 3) for v in seq(1 * 3 * 3 * 3, 3, 4.0, 7)]  # [1,3,3,3] stored as fp16
DW_B = [0.1, 0.0, -0.2]
ALPHA = [0.25, 0.5, -0.75]                     # [1,1,3]
FC_W = seq(4 * 27, 11, 16.0, 17)               # [4,27]
FC_B = [0.5, -0.25, 0.0, 1.0]


def tensor(name, shape, buf, ttype=0):
    return Table([(0, 'off', Vec('i32', shape)), (1, 'u8', ttype), (2, 'u32', buf),
                  (3, 'off', Str(name))])


def op(code_index, ins, outs, opt_type=0, opts=None, custom=None):
    f = [(0, 'u32', code_index), (1, 'off', Vec('i32', ins)), (2, 'off', Vec('i32', outs))]
    if opts is not None:
        f += [(3, 'u8', opt_type), (4, 'off', opts)]
    if custom is not None:
        f += [(5, 'off', Vec('u8', list(custom)))]
    return Table(f)


def flex_map(items):
    """A flexbuffer whose root is a map: items are (key, kind, value) with
    kind 'int' (int32), 'float' (float32) or 'ivec16' (vector of int16)."""
    items = sorted(items, key=lambda it: it[0])
    b = bytearray()
    key_pos = []
    for k, _, _ in items:
        key_pos.append(len(b))
        b += k.encode() + b'\0'
    vec_pos = {}
    for k, kind, v in items:
        if kind == 'ivec16':
            while len(b) % 2:
                b.append(0)
            b += struct.pack('<H', len(v))
            vec_pos[k] = len(b)
            for x in v:
                b += struct.pack('<h', x)
    while len(b) % 4:
        b.append(0)
    b += struct.pack('<I', len(items))          # keys vector length
    keys_vec = len(b)
    for kp in key_pos:
        b += struct.pack('<I', len(b) - kp)
    prefix = len(b)
    b += struct.pack('<I', prefix - keys_vec)   # offset back to the keys
    b += struct.pack('<I', 4)                   # keys byte width
    b += struct.pack('<I', len(items))          # map length
    map_pos = len(b)
    types = []
    for k, kind, v in items:
        if kind == 'int':
            b += struct.pack('<i', v)
            types.append((1 << 2) | 2)
        elif kind == 'float':
            b += struct.pack('<f', v)
            types.append((3 << 2) | 2)
        else:
            b += struct.pack('<I', len(b) - vec_pos[k])
            types.append((11 << 2) | 1)
    b += bytes(types)
    root = len(b)
    b += struct.pack('<I', root - map_pos)
    b += bytes([(9 << 2) | 2, 4])
    return bytes(b)


def build():
    # buffers: 0 empty (convention), then constants
    bufs = [[]]

    def const(kind, values):
        fmt = {'f32': '<f', 'f16': '<e', 'i32': '<i'}[kind]
        bufs.append(list(b''.join(struct.pack(fmt, v) for v in values)))
        return len(bufs) - 1

    T = []  # tensors

    def t(name, shape, buf=0, ttype=0):
        T.append(tensor(name, shape, buf, ttype))
        return len(T) - 1

    x = t('x', X_SHAPE)
    cw = t('conv_w', [3, 3, 3, 2], const('f32', CONV_W))
    cb = t('conv_b', [3], const('f32', CONV_B))
    t1 = t('conv', [1, 3, 3, 3])
    dw16 = t('dw_w16', [1, 3, 3, 3], const('f16', DW_W), ttype=1)
    dw = t('dw_w', [1, 3, 3, 3])
    db = t('dw_b', [3], const('f32', DW_B))
    t2 = t('dw', [1, 3, 3, 3])
    al = t('alpha', [1, 1, 3], const('f32', ALPHA))
    t3 = t('prelu', [1, 3, 3, 3])
    t4 = t('add', [1, 3, 3, 3])
    t5 = t('pool', [1, 2, 2, 3])
    pads = t('pads', [4, 2], const('i32', [0, 0, 0, 1, 1, 0, 0, 0]), ttype=2)
    t6 = t('pad', [1, 3, 3, 3])
    shp = t('shape', [2], const('i32', [1, 27]), ttype=2)
    t7 = t('flat', [1, 27])
    fw = t('fc_w', [4, 27], const('f32', FC_W))
    fb = t('fc_b', [4], const('f32', FC_B))
    t8 = t('fc', [1, 4])
    t9 = t('out', [1, 4])

    # operator codes: CONV_2D 3, DEQUANTIZE 6, DEPTHWISE 4, PRELU 54, ADD 0,
    # MAX_POOL_2D 17, PAD 34, RESHAPE 22, FULLY_CONNECTED 9, LOGISTIC 14
    codes = [3, 6, 4, 54, 0, 17, 34, 22, 9, 14]
    opcodes = [Table([(0, 'i8', min(c, 127)), (2, 'i32', 1), (3, 'i32', c)]) for c in codes]
    ops = [
        op(0, [x, cw, cb], [t1], 1, Table([(0, 'u8', 0), (1, 'i32', 2), (2, 'i32', 2),
                                           (3, 'u8', 1)])),
        op(1, [dw16], [dw]),
        op(2, [t1, dw, db], [t2], 2, Table([(0, 'u8', 0), (1, 'i32', 1), (2, 'i32', 1),
                                            (3, 'i32', 1), (4, 'u8', 0)])),
        op(3, [t2, al], [t3]),
        op(4, [t3, t1], [t4], 11, Table([(0, 'u8', 0)])),
        op(5, [t4], [t5], 5, Table([(0, 'u8', 0), (1, 'i32', 2), (2, 'i32', 2), (3, 'i32', 2),
                                    (4, 'i32', 2)])),
        op(6, [t5, pads], [t6]),
        op(7, [t6, shp], [t7], 17, Table([(0, 'off', Vec('i32', [1, 27]))])),
        op(8, [t7, fw, fb], [t8], 8, Table([(0, 'u8', 0)])),
        op(9, [t8], [t9]),
    ]
    sub = Table([(0, 'off', Vec('table', T)), (1, 'off', Vec('i32', [x])),
                 (2, 'off', Vec('i32', [t9])), (3, 'off', Vec('table', ops)),
                 (4, 'off', Str('main'))])
    buffers = [Table([(0, 'off', Vec('u8', b))]) if b else Table([]) for b in bufs]
    model = Table([(0, 'u32', 3), (1, 'off', Vec('table', opcodes)),
                   (2, 'off', Vec('table', [sub])), (3, 'off', Str('tiny test model')),
                   (4, 'off', Vec('table', buffers))])
    w = Writer()
    w.b += b'\0\0\0\0TFL3'
    root = w.emit(model)
    struct.pack_into('<I', w.b, 0, root)
    return bytes(w.b)


# ---- the MediaPipe operators model ------------------------------------------

LM = [(i * 5) % 13 * 0.75 + (i % 3) * 0.5 for i in range(36)]      # [1,12,3]
FEAT = [((i * 7) % 17 - 8) / 8.0 for i in range(72)]               # [1,6,6,2]
LM_SCALE = 0.5
SUBSET = [2, 3, 4, 5, 6, 7, 9]   # odd: the last index pairs with itself
TL_PTS = [0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 1.5, 1.0]                   # [1,4,2]
L2TM_OPTS = [('left_rotation_idx', 'int', 0), ('right_rotation_idx', 'int', 1),
             ('output_width', 'int', 3), ('output_height', 'int', 3),
             ('scale_x', 'float', 1.5), ('scale_y', 'float', 1.25),
             ('target_rotation_radians', 'float', 0.0), ('subset_idxs', 'ivec16', SUBSET)]


def build_mediapipe():
    bufs = [[]]

    def const(kind, values):
        fmt = {'f32': '<f', 'f16': '<e', 'i32': '<i'}[kind]
        bufs.append(list(b''.join(struct.pack(fmt, v) for v in values)))
        return len(bufs) - 1

    T = []

    def t(name, shape, buf=0, ttype=0):
        T.append(tensor(name, shape, buf, ttype))
        return len(T) - 1

    lm = t('lm', [1, 12, 3])
    feat = t('feat', [1, 6, 6, 2])
    k = t('k', [1], const('f16', [LM_SCALE]), ttype=1)
    kf = t('k_f32', [1])
    lm2 = t('lm_scaled', [1, 12, 3])
    mat = t('matrix', [1, 4, 4])
    crop = t('crop', [1, 3, 3, 2])
    shp = t('shape', [2], const('i32', [1, 18]), ttype=2)
    flat = t('flat', [1, 18])
    b = t('begin', [2], const('i32', [0, 2]), ttype=2)
    e = t('end', [2], const('i32', [1, 14]), ttype=2)
    st = t('strides', [2], const('i32', [1, 3]), ttype=2)
    sl = t('slice', [1, 4])
    pts = t('pts', [1, 4, 2], const('f32', TL_PTS))
    tl = t('pts_mapped', [1, 4, 2])
    shp2 = t('shape2', [2], const('i32', [1, 8]), ttype=2)
    tl2 = t('pts_flat', [1, 8])
    out = t('out', [1, 12])

    # operator codes: DEQUANTIZE 6, MUL 18, CUSTOM 32 (three names), RESHAPE 22,
    # STRIDED_SLICE 45, CONCATENATION 2
    def code(c, name=None):
        f = [(0, 'i8', min(c, 127)), (2, 'i32', 1 if name is None else 2), (3, 'i32', c)]
        if name is not None:
            f.append((1, 'off', Str(name)))
        return Table(f)

    opcodes = [code(6), code(18), code(32, 'Landmarks2TransformMatrix'),
               code(32, 'TransformTensorBilinear'), code(32, 'TransformLandmarks'), code(22),
               code(45), code(2)]
    tb_opts = flex_map([('output_height', 'int', 3), ('output_width', 'int', 3)])
    ops = [
        op(0, [k], [kf]),
        op(1, [lm, kf], [lm2], 21, Table([(0, 'u8', 0)])),
        op(2, [lm2], [mat], custom=flex_map(L2TM_OPTS)),
        op(3, [feat, mat], [crop], custom=tb_opts),
        op(5, [crop, shp], [flat], 17, Table([(0, 'off', Vec('i32', [1, 18]))])),
        op(6, [flat, b, e, st], [sl], 32, Table([(0, 'i32', 0), (1, 'i32', 0)])),
        op(4, [pts, mat], [tl]),
        op(5, [tl, shp2], [tl2], 17, Table([(0, 'off', Vec('i32', [1, 8]))])),
        op(7, [sl, tl2], [out], 10, Table([(0, 'i32', 1), (1, 'u8', 0)])),
    ]
    sub = Table([(0, 'off', Vec('table', T)), (1, 'off', Vec('i32', [lm, feat])),
                 (2, 'off', Vec('i32', [out])), (3, 'off', Vec('table', ops)),
                 (4, 'off', Str('main'))])
    buffers = [Table([(0, 'off', Vec('u8', bb))]) if bb else Table([]) for bb in bufs]
    model = Table([(0, 'u32', 3), (1, 'off', Vec('table', opcodes)),
                   (2, 'off', Vec('table', [sub])), (3, 'off', Str('tiny MediaPipe ops')),
                   (4, 'off', Vec('table', buffers))])
    w = Writer()
    w.b += b'\0\0\0\0TFL3'
    root = w.emit(model)
    struct.pack_into('<I', w.b, 0, root)
    return bytes(w.b)


def reference_mediapipe():
    lm = [v * LM_SCALE for v in LM]
    px = lambda i: lm[3 * i]
    py = lambda i: lm[3 * i + 1]
    rot = 0.0 - math.atan2(py(1) - py(0), px(1) - px(0))
    c, s = math.cos(rot), math.sin(rot)
    us = [c * px(i) - s * py(i) for i in SUBSET]
    vs = [s * px(i) + c * py(i) for i in SUBSET]
    mu, mv = (min(us) + max(us)) / 2, (min(vs) + max(vs)) / 2
    cx, cy = c * mu + s * mv, -s * mu + c * mv
    sx, sy = 1.5 * (max(us) - min(us)) / 3, 1.25 * (max(vs) - min(vs)) / 3
    # crop point p -> centre + R(-rot) diag(sx, sy) (p - (1.5, 1.5))
    a00, a01, a10, a11 = c * sx, s * sy, -s * sx, c * sy
    t0 = cx - a00 * 1.5 - a01 * 1.5
    t1 = cy - a10 * 1.5 - a11 * 1.5

    def fv(y, x, ch):
        if 0 <= y < 6 and 0 <= x < 6:
            return FEAT[(y * 6 + x) * 2 + ch]
        return 0.0

    crop = []
    for oy in range(3):
        for ox in range(3):
            # pixel centres: the matrix applied to (ox + 0.5, oy + 0.5), minus 0.5
            gx = a00 * (ox + 0.5) + a01 * (oy + 0.5) + t0 - 0.5
            gy = a10 * (ox + 0.5) + a11 * (oy + 0.5) + t1 - 0.5
            for ch in range(2):
                if gx < 0 or gy < 0 or gx > 5 or gy > 5:
                    crop.append(0.0)
                    continue
                x0, y0 = math.floor(gx), math.floor(gy)
                ax, ay = gx - x0, gy - y0
                up = (1 - ax) * fv(y0, x0, ch) + ax * fv(y0, x0 + 1, ch)
                lo = (1 - ax) * fv(y0 + 1, x0, ch) + ax * fv(y0 + 1, x0 + 1, ch)
                crop.append(ay * lo + (1 - ay) * up)
    sl = [crop[i] for i in (2, 5, 8, 11)]
    tl = []
    for i in range(4):
        x, y = TL_PTS[2 * i], TL_PTS[2 * i + 1]
        tl += [a00 * x + a01 * y + t0, a10 * x + a11 * y + t1]
    return sl + tl


# ---- the reference computation ---------------------------------------------

def at4(a, shape, n, y, x, c):
    return a[((n * shape[1] + y) * shape[2] + x) * shape[3] + c]


def conv(x, xs, w, ws, b, stride, depthwise, relu):
    h, wd, ci = xs[1], xs[2], xs[3]
    kh, kw = ws[1], ws[2]
    oc = ws[3] if depthwise else ws[0]
    oh, ow = (h + stride - 1) // stride, (wd + stride - 1) // stride
    ph = max((oh - 1) * stride + kh - h, 0) // 2
    pw = max((ow - 1) * stride + kw - wd, 0) // 2
    out = []
    for oy in range(oh):
        for ox in range(ow):
            for o in range(oc):
                s = b[o]
                for ky in range(kh):
                    for kx in range(kw):
                        iy, ix = oy * stride - ph + ky, ox * stride - pw + kx
                        if not (0 <= iy < h and 0 <= ix < wd):
                            continue
                        if depthwise:
                            s += at4(x, xs, 0, iy, ix, o) * w[(ky * kw + kx) * oc + o]
                        else:
                            for c in range(ci):
                                s += at4(x, xs, 0, iy, ix, c) * w[((o * kh + ky) * kw + kx) * ci + c]
                out.append(max(s, 0.0) if relu else s)
    return out, [1, oh, ow, oc]


def reference():
    t1, s1 = conv(X, X_SHAPE, CONV_W, [3, 3, 3, 2], CONV_B, 2, False, True)
    dw = [struct.unpack('<e', struct.pack('<e', v))[0] for v in DW_W]
    t2, s2 = conv(t1, s1, dw, [1, 3, 3, 3], DW_B, 1, True, False)
    t3 = [v if v >= 0 else v * ALPHA[i % 3] for i, v in enumerate(t2)]
    t4 = [a + b for a, b in zip(t3, t1)]
    # max pool 2x2 stride 2 SAME on 3x3: out 2x2, pad total 1, before 0
    t5 = []
    for oy in range(2):
        for ox in range(2):
            for c in range(3):
                vals = [at4(t4, s2, 0, oy * 2 + ky, ox * 2 + kx, c)
                        for ky in range(2) for kx in range(2)
                        if oy * 2 + ky < 3 and ox * 2 + kx < 3]
                t5.append(max(vals))
    # pad: H +1 after, W +1 before -> [1,3,3,3]
    t6 = []
    for y in range(3):
        for x in range(3):
            for c in range(3):
                if y < 2 and x >= 1:
                    t6.append(t5[((y * 2) + (x - 1)) * 3 + c])
                else:
                    t6.append(0.0)
    t8 = [FC_B[o] + sum(t6[k] * FC_W[o * 27 + k] for k in range(27)) for o in range(4)]
    return [1.0 / (1.0 + math.exp(-v)) for v in t8]


if __name__ == '__main__':
    for i, (data, ref) in enumerate([(build(), reference()),
                                     (build_mediapipe(), reference_mediapipe())]):
        if len(sys.argv) > 1 + i:
            with open(sys.argv[1 + i], 'wb') as f:
                f.write(data)
        print('model', i + 1, 'bytes', len(data))
        print('expected', ', '.join('%.6ff' % v for v in ref))
