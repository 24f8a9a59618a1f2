"""Text keys for matching headers and category values written by people.

Vietnamese exports spell the same header many ways ("Mã hồ sơ", "MA HO SO",
"ma_ho_so", "Mã  hồ sơ "). :func:`label_key` folds case, diacritics, spacing
and punctuation so that they all compare equal.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["label_key"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def label_key(text: object) -> str:
    """Fold a header or label to lowercase ASCII words separated by single spaces.

    Examples
    --------
    >>> label_key("  Mã hồ sơ ")
    'ma ho so'
    >>> label_key("Ngày_TRẢ-kết quả")
    'ngay tra ket qua'
    >>> label_key("Đơn vị")
    'don vi'
    """
    text = str(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
