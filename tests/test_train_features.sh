#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_features.sh: the envelope bands of tools/train/features.py and
# the C vocoder agree on what the bands mean. The bands are the least-squares
# fit of the vocoder's interpolation to a log spectrum: a constant spectrum
# gives that constant in every band, a spectrum the interpolation can make is
# given back exactly, and a formant envelope comes back closer than from the
# values at the band centres (the fit uses the bins between them too). Then
# the vocoder itself (build/vocode), fed a fixed envelope on unvoiced frames,
# renders noise whose spectrum is that interpolation of the bands, within
# 1 dB, and a vowel it renders analyses back to its pitch and envelope.
# Skips without python3-numpy.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
VOC=$(dirname "$BIN")/vocode
PY=/usr/bin/python3
if ! $PY -c 'import numpy' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no numpy (tools/train/setup.sh installs it)"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" features

if $PY - "$SRC" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "train"))
import features
nb, win = features.N_BANDS, features.ENV_WIN
a, fit = features.band_interpolation(win, nb), features.band_fit(win, nb)
assert a.shape == (win // 2 + 1, nb) and fit.shape == (nb, win // 2 + 1)
const = np.abs(np.full(win // 2 + 1, -4.0) @ fit.T + 4.0).max()
# a spectrum the vocoder's interpolation makes: a smooth band curve
b = -3.0 + 2.0 * np.sin(np.linspace(0, 3 * np.pi, nb)) * np.linspace(1, 0.3, nb)
same = np.abs(fit @ (a @ b) - b).max()
# formants (log of resonances on a falling tilt), as a vowel's envelope
f = np.arange(win // 2 + 1) * features.SAMPLE_RATE / win
env = np.log(1e-3 + sum(g / (1 + ((f - c) / bw) ** 2) for c, bw, g in
                        ((700, 90, 1.0), (1200, 110, 0.5), (2600, 160, 0.15), (3400, 200, 0.08))))
w = 1.0 / (700.0 + f)
err = lambda bands: 10 / np.log(10) * np.sqrt((w * (a @ bands - env) ** 2).sum() / w.sum())
centres = np.interp(700 * (10 ** (np.linspace(0, features.mel(f[-1]), nb) / 2595) - 1), f, env)
e_fit, e_centres = err(fit @ env), err(centres)
print(f"constant off by {const:.2e}, a band curve off by {same:.2e}; formants: "
      f"fit {e_fit:.2f} dB RMS, band-centre values {e_centres:.2f} dB")
assert const < 1e-9 and same < 1e-3 and e_fit < e_centres and e_fit < 2.0
EOF
then ok "the bands are the fit of the vocoder's interpolation"; else fail "band fit"; fi

# 600 unvoiced frames of one envelope through the vocoder; the output's
# spectrum (averaged periodograms) against the interpolated bands.
if $PY - "$SRC" "$T" <<'EOF' && "$VOC" "$T/in.f32" "$T/out.f32" >"$T/log" 2>&1 && $PY - "$SRC" "$T" check <<'EOF2'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "train"))
import features
nb = features.N_BANDS
b = -9.0 + 2.5 * np.cos(np.linspace(0, 4 * np.pi, nb)) - np.linspace(0, 4, nb)
fr = np.zeros((600, nb + 2), np.float32)
fr[:, :nb] = b
fr[:, nb] = np.log(120.0)
np.save(f"{sys.argv[2]}/bands.npy", b)
fr.astype("<f4").tofile(f"{sys.argv[2]}/in.f32")
EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "train"))
import features
t = sys.argv[2]
b = np.load(f"{t}/bands.npy")
y = np.fromfile(f"{t}/out.f32", "<f4").astype(np.float64)[4096:-4096]
win = features.ENV_WIN
w = np.hanning(win)
segs = y[: len(y) // (win // 2) * (win // 2)]
idx = np.arange(win)[None, :] + (win // 2) * np.arange(len(segs) // (win // 2) - 1)[:, None]
psd = (np.abs(np.fft.rfft(segs[idx] * w, axis=1)) ** 2).mean(0) / (w ** 2).sum()
want = features.band_interpolation(win, len(b)) @ b
f = np.arange(win // 2 + 1) * features.SAMPLE_RATE / win
sel = (f > 200) & (f < 10000)
d = 10 / np.log(10) * (np.log(psd[sel]) - want[sel])
print(f"vocoded noise against the bands: mean {d.mean():+.2f} dB, median |error| {np.median(np.abs(d)):.2f} dB")
assert abs(d.mean()) < 1.0 and np.median(np.abs(d)) < 1.0
EOF2
then ok "the vocoder renders the interpolated bands"; else fail "vocoded spectrum: $(cat "$T/log")"; fi

# A vowel (four formants) rendered by the vocoder on voiced frames at a low
# and a high F0, analysed back: the pitch comes back within 1%, the voicing
# above the threshold, and the envelope at the harmonics within 1 dB RMS
# below 5 kHz (0.3 and 0.2 dB measured; smoothing over 2/3 of an F0
# spacing instead, features.SMOOTHING_WIDTH, gives 0.3 and 1.0 dB: the
# harmonics' ripple stays in the bands).
if $PY - "$SRC" "$T" "$VOC" <<'EOF'
import os, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "train"))
import features
t, voc = sys.argv[2], sys.argv[3]
nb, win = features.N_BANDS, features.ENV_WIN
f = np.arange(win // 2 + 1) * features.SAMPLE_RATE / win
env = np.log(1e-3 + sum(g / (1 + ((f - c) / bw) ** 2) for c, bw, g in
                        ((700, 90, 1.0), (1200, 110, 0.5), (2600, 160, 0.15), (3400, 200, 0.08)))) - 6
a, b = features.band_interpolation(win, nb), features.band_fit(win, nb) @ env
for f0 in (120.0, 200.0):
    fr = np.zeros((300, nb + 2), np.float32)
    fr[:, :nb], fr[:, nb], fr[:, nb + 1] = b, np.log(f0), 0.9
    fr.astype("<f4").tofile(f"{t}/vowel.f32")
    subprocess.run([voc, f"{t}/vowel.f32", f"{t}/vowel.out.f32"], check=True)
    g = np.median(features.analyze(np.fromfile(f"{t}/vowel.out.f32", "<f4"))[50:-50], axis=0)
    h = np.arange(1, int(5000 / f0)) * f0
    d = 10 / np.log(10) * (np.interp(h, f, a @ g[:nb]) - np.interp(h, f, a @ b))
    rms = np.sqrt((d ** 2).mean())
    print(f"vowel at {f0:.0f} Hz: F0 back {np.exp(g[nb]):.1f} Hz, voicing {g[nb + 1]:.2f}, "
          f"harmonics {rms:.2f} dB RMS from the envelope")
    assert abs(np.exp(g[nb]) / f0 - 1) < 0.01 and g[nb + 1] > features.VOICING_THRESHOLD
    assert rms < 1.0
EOF
then ok "a vocoded vowel analyses back to its pitch and envelope"; else fail "vowel round trip"; fi

testlib_end
