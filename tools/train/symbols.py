# SPDX-License-Identifier: Apache-2.0
"""Token sequences of the diffusion voice, from the text frontend's phones.

The C voice (tts/diffusion_voice.c) builds the same sequence from the same
phones; keep the two rules identical:
  ^ , then per word: its phones (a stress mark ˈ or ˌ split off as a token of
  its own) with a space between words, each clause's closing punctuation
  (, . ? !), and $ at the end.
  Two Mandarin syllables in a row have no space between them (a space token
  would take the end of the syllable before it, tone and all, into a token
  that knows no tone).
  A word whose last phone is a tone (Chao tone letters, as the frontend ends
  each Mandarin syllable) gives no tone token: the tone is appended to each
  of the word's other phones ("x uɑ n ˥" -> x˥ uɑ˥ n˥), so every phone
  carries its syllable's tone and no token stands for a tone alone.
  Chinese clause punctuation counts as its ASCII form (，、；： -> ,
  。 -> .  ？ -> ?  ！ -> !).
The engine gives the voice one clause at a time (the frontend cuts runs at
clause punctuation), so training texts are cut into clauses the same way and
each clause is phonemized on its own.
"""
SPECIALS = ["^", "$", " ", ",", ".", "?", "!", "ˈ", "ˌ"]
CLOSERS = "\"'”’)]}»」』）"
TONE_CHARS = "˥˦˧˨˩"
ZH_PUNCT = {"，": ",", "、": ",", "；": ",", "：": ",", "。": ".", "？": "?", "！": "!"}


def punct_of(word):
    w = word.rstrip(CLOSERS)
    if not w:
        return None
    c = ZH_PUNCT.get(w[-1], w[-1])
    if c in ",;:—–…":
        return ","
    if c in ".":
        return "." if not w.endswith("..") else ","
    if c in "?!":
        return c
    return None


def phone_tokens(phone):
    if phone and phone[0] in "ˈˌ" and len(phone) > 1:
        return [phone[0], phone[1:]]
    return [phone]


def is_tone(phone):
    return bool(phone) and all(c in TONE_CHARS for c in phone)


def word_tokens(phones):
    """The tokens of one word's phones (a trailing tone folded into them)."""
    if len(phones) > 1 and is_tone(phones[-1]):
        tone = phones[-1]
        return [t + tone for p in phones[:-1] for t in phone_tokens(p)]
    return [t for p in phones for t in phone_tokens(p)]


def clauses_of(text):
    """Splits normalized text into clauses after each word with closing
    punctuation: [(clause text, punctuation token or None)]."""
    for p in ZH_PUNCT:
        text = text.replace(p, p + " ")
    out, cur = [], []
    for w in text.split():
        cur.append(w)
        p = punct_of(w)
        if p:
            out.append((" ".join(cur), p))
            cur = []
    if cur:
        out.append((" ".join(cur), None))
    return out


def tokens_of_clauses(clauses):
    """clauses: [(phone words, punctuation or None)], each phonemized on its
    own, the way the engine gives the voice one clause (run) at a time."""
    out = ["^"]
    prev_toned = False
    for words, punct in clauses:
        for phones in words:
            toned = len(phones) > 1 and is_tone(phones[-1])
            if len(out) > 1 and out[-1] != " " and not (toned and prev_toned and out[-1] not in SPECIALS):
                out.append(" ")
            out.extend(word_tokens(phones))
            prev_toned = toned
        if punct:
            out.append(punct)
    if out[-1] == " ":
        out.pop()
    out.append("$")
    return out


def symbol_table(token_lists):
    seen = set()
    for t in token_lists:
        seen.update(t)
    return SPECIALS + sorted(seen - set(SPECIALS))
