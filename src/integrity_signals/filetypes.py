"""What a file is, by its content: the readers trust the bytes, not the file name.

An export renamed ``.csv`` may be a workbook, a compressed file, an old
``.xls`` (or an HTML page that a case system names ``.xls``), or not a table at
all (a picture, a program). :func:`sniff` reads the first bytes and says which,
so that the reader can read what it can and name what it cannot, instead of
failing on the text encoding.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileType", "first_undecodable", "sniff"]

_HEAD_BYTES = 1 << 12


@dataclass(frozen=True)
class FileType:
    """A file's content type: ``kind`` (a code), ``label`` (for people) and the reader
    that can read it (``"csv"``, ``"excel"``, ``"parquet"``; None for none)."""

    kind: str
    label: str
    reader: str | None = None
    compression: str | None = None  # "gzip", "bz2", "zstd", "lz4" for compressed text
    encoding: str | None = None  # "utf-16-le" / "utf-16-be" for UTF-16 without a mark


#: (leading bytes, kind, label, reader, compression)
_MAGIC = (
    (b"PAR1", "parquet", "a Parquet file", "parquet", None),
    (b"\x1f\x8b", "gzip", "a gzip-compressed file", "csv", "gzip"),
    (b"BZh", "bz2", "a bzip2-compressed file", "csv", "bz2"),
    (b"\x28\xb5\x2f\xfd", "zstd", "a zstd-compressed file", "csv", "zstd"),
    (b"\x04\x22\x4d\x18", "lz4", "an LZ4-compressed file", "csv", "lz4"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls",
     "an old Excel workbook (.xls) or another Office 97-2003 file", None, None),
    (b"\x89PNG\r\n\x1a\n", "png", "a PNG image", None, None),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image", None, None),
    (b"GIF8", "gif", "a GIF image", None, None),
    (b"%PDF", "pdf", "a PDF document", None, None),
    (b"\x7fELF", "executable", "a program (Linux executable)", None, None),
    (b"MZ", "executable", "a program (Windows executable)", None, None),
    (b"\xcf\xfa\xed\xfe", "executable", "a program (macOS executable)", None, None),
    (b"SQLite format 3\x00", "sqlite", "an SQLite database", None, None),
    (b"Rar!", "rar", "a RAR archive", None, None),
    (b"7z\xbc\xaf\x27\x1c", "7z", "a 7-Zip archive", None, None),
    (b"{\\rtf", "rtf", "an RTF document", None, None),
)  # fmt: skip


def _zip_type(path: Path) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return FileType("zip", "a ZIP archive")
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return FileType("xlsx", "an Excel workbook (.xlsx)", "excel")
    if b"spreadsheet" in mimetype:
        return FileType("ods", "an OpenDocument spreadsheet (.ods)")
    if any(n.startswith("word/") for n in names):
        return FileType("docx", "a Word document (.docx)")
    return FileType("zip", "a ZIP archive")


def _utf16_without_mark(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when most high bytes are NUL, as in text in UTF-16
    (digits, Latin letters and punctuation have a NUL high byte; Vietnamese letters may not)."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.5 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.5 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _is_binary(head: bytes) -> bool:
    """NUL bytes, or many control characters other than tab, line breaks and form feed."""
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1A))
    return controls > max(2, len(head) // 100)


def sniff(path: str | Path) -> FileType:
    """The content type of the file at ``path``, from its first bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "a.csv").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n....")
    12
    >>> sniff(folder / "a.csv").label
    'a PNG image'
    >>> (folder / "b.csv").write_text("ma_ho_so,don_vi\\nHS1,P1\\n")
    23
    >>> sniff(folder / "b.csv").kind
    'text'
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head:
        return FileType("empty", "an empty file")
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return FileType("text", "text", "csv")
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    for magic, kind, label, reader, compression in _MAGIC:
        if head.startswith(magic):
            return FileType(kind, label, reader, compression)
    utf16 = _utf16_without_mark(head)
    if utf16:
        return FileType("text", "UTF-16 text", "csv", encoding=utf16)
    if _is_binary(head):
        return FileType("binary", "a binary file, not text", None)
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return FileType("html", "an HTML page", None)
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return FileType("xml_sheet", "an Excel 2003 XML spreadsheet", None)
    return FileType("text", "text", "csv")


def first_undecodable(path: str | Path, codec: str, compression: str | None = None):
    """Where the file first fails to decode as ``codec``: (line, byte value), or None.

    Reads the file in blocks, so that a bad byte far into a large export is
    still found and named by its line.
    """
    import pyarrow as pa

    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    with pa.input_stream(str(path), compression=compression or "detect") as stream:
        while block := stream.read(1 << 20):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                good = block[: exc.start]
                return line + good.count(b"\n"), block[exc.start]
            except UnicodeError:  # UTF-16 without its mark: the first bytes are the problem
                return line, block[0]
            line += text.count("\n")
    return None
