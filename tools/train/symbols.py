# SPDX-License-Identifier: Apache-2.0
"""Token sequences of the diffusion voice, from the text frontend's phones.

The C voice (tts/diffusion_voice.c) builds the same sequence from the same
phones; keep the two rules identical:
  ^ , then per word: its phones (a stress mark ˈ or ˌ split off as a token of
  its own) with a space between words, each clause's closing punctuation
  (, . ? !), and $ at the end.
The engine gives the voice one clause at a time (the frontend cuts runs at
clause punctuation), so training texts are cut into clauses the same way and
each clause is phonemized on its own.
"""
SPECIALS = ["^", "$", " ", ",", ".", "?", "!", "ˈ", "ˌ"]
CLOSERS = "\"'”’)]}»"


def punct_of(word):
    w = word.rstrip(CLOSERS)
    if not w:
        return None
    c = w[-1]
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


def clauses_of(text):
    """Splits normalized text into clauses after each word with closing
    punctuation: [(clause text, punctuation token or None)]."""
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
    for words, punct in clauses:
        for phones in words:
            if len(out) > 1 and out[-1] != " ":
                out.append(" ")
            for p in phones:
                out.extend(phone_tokens(p))
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
