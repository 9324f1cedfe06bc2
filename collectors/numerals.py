"""Chinese numerals, as the plan numbers its actions and a bulletin its sections."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1–99 in Chinese numerals: 一, 五, 十二."""
    if not 0 < n < 100:
        raise ValueError(f"no Chinese numeral for {n} here")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
