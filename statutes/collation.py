"""Pinyin order for law titles: the order in which a Chinese reader looks for a title in a list.

pypinyin reads each character (a word it knows is read as a word: 银行 yin hang, 重庆 chong qing);
the key spells the readings with their tone numbers, syllable after syllable ("min2 fa3 dian3"),
so that plain string comparison, in Python as in SQL, gives dictionary order: letters first
(西安 xi1 an1 before 先 xian1: a tone digit and the space sort before any letter), then the tone.
Punctuation and the 《》 around a quoted title are no part of the order.

The key is derived from the short title, the title without 中华人民共和国: a reader looks for
中华人民共和国民法典 under M, as 民法典, the name everyone uses. It is stored with each law
(Law.title_pinyin, derived on every save): reading 1,420 titles takes pypinyin about 1.5 s, far
too long for a page, and the database then sorts the list by itself.
"""

import re

MAX_LENGTH = 255
# Letters, digits and CJK ideographs make the order; everything else (《》、（）· spaces) does not.
NOT_ORDERED_RE = re.compile(r"[^\w]|_")


def title_pinyin(title: str) -> str:
    """'民法典' → 'min2 fa3 dian3'; '2018年…' keeps its digits, Latin letters lowercased."""
    # pypinyin loads its dictionaries when imported (close to a second): only processes that
    # write laws pay for it, not every web worker at start.
    from pypinyin import Style, lazy_pinyin

    text = NOT_ORDERED_RE.sub("", title or "")
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return " ".join(syllable.lower() for syllable in syllables)[:MAX_LENGTH]


def initial(pinyin: str) -> str:
    """The letter a title is listed under: 'min2 fa3 dian3' → 'M'; a title opening with a digit or
    anything but a letter → '#'."""
    first = pinyin[:1].upper()
    return first if "A" <= first <= "Z" else "#"
