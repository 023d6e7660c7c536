"""Encoding and format sniffing: strict UTF-8 or GB18030, the delimiter, CSV / Excel / Parquet."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from .headers import _EXCEL_EXT, _HEADER_SCAN_ROWS, _PARQUET_EXT, _TEXT_EXT

_BLOCK = 1 << 20  # bytes decoded at a time while checking the encoding
_CHUNK_ROWS = 200_000  # rows converted at a time: memory stays flat whatever the file size
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _check_decodes(path: Path, codec: str) -> tuple[int, int] | None:
    """Stream-decode the whole file; (byte offset, line) of the first failure, or None."""
    import codecs

    dec = codecs.getincrementaldecoder(codec)("strict")
    offset, line = 0, 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            final = not block
            nul = block.find(b"\x00")
            if nul >= 0 and not codec.startswith("utf-16"):
                at = line + block[:nul].count(b"\n")
                raise DataError(
                    f"wrong encoding: NUL characters (first at byte offset {offset + nul}, line "
                    f"{at}); the file looks like UTF-16 or binary data",
                    file=str(path),
                    expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
                )
            try:
                dec.decode(block, final=final)
            except UnicodeDecodeError as e:
                pos = max(0, min(e.start, len(block)))
                return offset + pos, line + block[:pos].count(b"\n")
            if final:
                return None
            offset += len(block)
            line += block.count(b"\n")


def _encoding(path: Path, encoding: str | None) -> str:
    """The text encoding of a CSV export (checked over the whole file, in blocks)."""
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if encoding is not None:
        try:
            import codecs

            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        bad = _check_decodes(path, encoding)
        if bad:
            raise DataError(
                f"wrong encoding: cannot decode as {encoding} at byte offset {bad[0]} (line {bad[1]})",
                file=name,
                expected="a file in the encoding passed as encoding=",
            )
        return encoding
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(
            "wrong encoding: the file is UTF-16 (byte-order mark at byte offset 0, line 1)",
            file=name,
            expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
        )
    if head == b"PK\x03\x04":
        raise DataError(
            "this is an Excel/zip file, not text",
            file=name,
            expected="a .csv text file, or rename it to .xlsx",
        )
    utf8 = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    bad_u = _check_decodes(path, utf8)
    if bad_u is None:
        return utf8
    bad_g = _check_decodes(path, "gb18030")
    if bad_g is None:
        return "gb18030"
    raise DataError(
        f"wrong encoding: not UTF-8 (byte offset {bad_u[0]}, line {bad_u[1]}) "
        f"nor GBK/GB18030 (byte offset {bad_g[0]}, line {bad_g[1]})",
        file=name,
        expected="UTF-8 or GBK/GB18030 text, or pass encoding=",
    )


def _delimiter(text: str, path: Path) -> str:
    """The delimiter of the first lines, ignoring anything inside quotes."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    unquoted = re.sub(r'"[^"]*"', "", text)
    lines = [ln for ln in unquoted.splitlines()[:_HEADER_SCAN_ROWS] if ln.strip()]
    best, best_n = ",", 0
    for d in (",", "\t", ";", "|"):
        n = max((ln.count(d) for ln in lines), default=0)
        if n > best_n:
            best, best_n = d, n
    return best


def _sniff_kind(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in _EXCEL_EXT:
        return "excel"
    if ext in _PARQUET_EXT:
        return "parquet"
    if ext == ".xls":
        raise DataError(
            "old-style .xls workbooks are not supported",
            file=str(path),
            expected="an .xlsx workbook (in Excel or WPS: Save As → .xlsx) or a CSV",
        )
    if ext in _TEXT_EXT:
        return "csv"
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PK\x03\x04":
        return "excel"
    if head == b"PAR1":
        return "parquet"
    return "csv"
