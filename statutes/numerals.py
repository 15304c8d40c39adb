"""Chinese numerals as statutes write them, and 条 labels such as 第二百五十三条之一.

Statute numbering uses the plain numerals 零一二三四五六七八九 with the units 十百千, up
to 9999: 十一 (11), 一百一十 (110), 一千零三十二 (1032). Readers also type 一十一, 两百,
〇 for 零 and Arabic digits; parsing accepts those variants, writing always gives the
canonical form.
"""

import functools
import re

__all__ = [
    "MAX_NUMBER",
    "chinese_to_int",
    "format_key",
    "format_label",
    "int_to_chinese",
    "parse_key",
    "parse_label",
]

MAX_NUMBER = 9999

DIGITS = "零一二三四五六七八九"
DIGIT_VALUES = {ch: value for value, ch in enumerate(DIGITS)} | {"〇": 0, "两": 2}
UNITS = {"千": 1000, "百": 100, "十": 10}
NUMERAL_CHARS = "".join(DIGIT_VALUES) + "".join(UNITS)

LABEL_RE = re.compile(
    rf"^\s*第\s*(?P<number>[{NUMERAL_CHARS}]+|\d+)\s*条"
    rf"(?:\s*之\s*(?P<suffix>[{NUMERAL_CHARS}]+|\d+))?\s*$"
)
KEY_RE = re.compile(r"^(?P<number>[1-9]\d{0,3})(?:-(?P<suffix>[1-9]\d?))?$")


@functools.lru_cache(maxsize=4096)
def int_to_chinese(number: int) -> str:
    """1032 → 一千零三十二; 10 → 十; 110 → 一百一十; 1001 → 一千零一."""
    if not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"only whole numbers from 1 to {MAX_NUMBER} can be written: {number!r}")
    parts = []
    pending_zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + unit)
    text = "".join(parts)
    # 10-19 are written 十, 十一 … 十九, never 一十 on their own.
    return text[1:] if text.startswith("一十") else text


@functools.lru_cache(maxsize=4096)  # a body repeats its numerals; ValueError is not cached (raised again)
def chinese_to_int(text: str) -> int:
    """一千零三十二 → 1032; accepts 一十一, 两, 〇 and Arabic digits. Raises ValueError otherwise."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty numeral")
    if raw.isascii() and raw.isdigit():
        number = int(raw)
        if not 1 <= number <= MAX_NUMBER:
            raise ValueError(f"number out of range 1-{MAX_NUMBER}: {raw}")
        return number
    normalized = raw.replace("〇", "零").replace("两", "二")
    if any(ch not in DIGIT_VALUES and ch not in UNITS for ch in normalized):
        raise ValueError(f"not a Chinese numeral: {raw!r}")
    total = 0
    digit = None
    for ch in normalized:
        if ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            digit = DIGIT_VALUES[ch]
    total += digit or 0
    # Check the spelling against the canonical form, so that 一一 or 十百 are refused
    # rather than read as some number.
    if not 1 <= total <= MAX_NUMBER:
        raise ValueError(f"not a numeral from 1 to {MAX_NUMBER}: {raw!r}")
    canonical = int_to_chinese(total)
    accepted = {canonical, "一" + canonical} if canonical.startswith("十") else {canonical}
    if normalized not in accepted:
        raise ValueError(f"not a well-formed Chinese numeral: {raw!r}")
    return total


def format_label(number: int, suffix: int = 0) -> str:
    """(253, 1) → 第二百五十三条之一."""
    label = f"第{int_to_chinese(number)}条"
    return f"{label}之{int_to_chinese(suffix)}" if suffix else label


def parse_label(label: str) -> tuple[int, int]:
    """第二百五十三条之一 → (253, 1); 第1032条 → (1032, 0). Raises ValueError otherwise."""
    match = LABEL_RE.match(label)
    if not match:
        raise ValueError(f"not a provision label: {label!r}")
    number = chinese_to_int(match["number"])
    suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
    return number, suffix


def format_key(number: int, suffix: int = 0) -> str:
    """(1032, 0) → "1032"; (253, 1) → "253-1": the provision's part of its URL."""
    return f"{number}-{suffix}" if suffix else str(number)


def parse_key(key: str) -> tuple[int, int]:
    """ "253-1" → (253, 1). Raises ValueError for anything that format_key cannot produce."""
    match = KEY_RE.match(key)
    if not match:
        raise ValueError(f"not a provision key: {key!r}")
    return int(match["number"]), int(match["suffix"] or 0)
