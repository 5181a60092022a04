#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes syllables.tsv: for each syllable the recordings hold (toneless
pinyin), the initial and final the text frontend spells it with.

    /usr/bin/python3 tools/zh_teacher/inventory.py ../shared/data/zh-syllables > tools/zh_teacher/syllables.tsv

The frontend (tts/frontend/phonemize.c) has libespeak-ng read Han text and
rewrites espeak's Mandarin phoneme names as IPA. Here the same espeak-ng
voice reads each recording's pinyin name (ma1), and its phoneme names are
rewritten with the same table as phonemize.c's phz_cmn, so the teacher can
look a frontend syllable up by its phones. Run it again only when the
recordings or that table change; the teacher reads the TSV, not espeak.
"""
import ctypes
import os
import re
import sys

# phonemize.c's phz_cmn: espeak-ng Mandarin phoneme names -> IPA.
CMN = {
    "p": "p", "ph": "pʰ", "m": "m", "f": "f", "t": "t", "th": "tʰ", "n": "n", "l": "l",
    "k": "k", "kh": "kʰ", "X": "x", "tS;": "tɕ", "tS;h": "tɕʰ", "S;": "ɕ", "ts.": "ʈʂ",
    "ts.h": "ʈʂʰ", "s.": "ʂ", "z.": "ʐ", "ts": "ts", "tsh": "tsʰ", "s": "s", "j": "j",
    "w": "w", "N": "ŋ", "a": "a", "A": "ɑ", "Au": "ɑu", "@": "ə", "@:": "ə", "@r": "ɚ",
    "ai": "ai", "ei": "ei", "ou": "ou", "i": "i", "i.": "ʅ", "i[": "ɿ", "iE": "iɛ",
    "iA": "iɑ", "iou": "iou", "io": "io", "u": "u", "uo": "uo", "ua": "uɑ", "uai": "uai",
    "uei": "uei", "u@": "uə", "y": "y", "yE": "yɛ", "y&": "yæ", "y@": "yə", "yu": "yu",
    "yi": "yi", "ong": "uŋ", "o": "o", "o-": "ɤ", "e": "e", "E": "ɛ", "N-": "ŋ̍",
}


def espeak_names(lib, text):
    buf = ctypes.create_string_buffer(text.encode())
    ptr = ctypes.c_void_p(ctypes.addressof(buf))
    out = []
    while ptr.value:
        r = lib.espeak_TextToPhonemes(ctypes.byref(ptr), 1, ord("|") << 8)
        if r is None:
            break
        out += [n for n in r.decode().replace(" ", "|").split("|") if n]
    return out


def main():
    if len(sys.argv) != 2 or not os.path.isdir(os.path.join(sys.argv[1], "flac")):
        sys.exit("usage: inventory.py ZH_SYLLABLES_DIR (the folder with flac/)")
    lib = ctypes.CDLL("libespeak-ng.so.1")
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    if lib.espeak_Initialize(2, 0, None, 0) < 0 or lib.espeak_SetVoiceByName(b"cmn-latn-pinyin") != 0:
        sys.exit("inventory: libespeak-ng with its cmn-latn-pinyin voice is needed")
    bases = sorted({re.sub(r"[1-5]$", "", f[:-5]) for f in os.listdir(os.path.join(sys.argv[1], "flac"))
                    if f.endswith(".flac") and "-old" not in f})
    print("# pinyin\tphones (the frontend's IPA, space-separated, no tone); made by inventory.py")
    for b in bases:
        names = [re.sub(r"[',]", "", n) for n in espeak_names(lib, b + "1")]
        phones = []
        for n in names:
            if n.startswith("_"):
                continue
            n = re.sub(r"\d+$", "", n)
            phones.append(CMN.get(n, n))
        print(f"{b}\t{' '.join(phones)}")


if __name__ == "__main__":
    main()
