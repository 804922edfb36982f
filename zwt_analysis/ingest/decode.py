"""Decode the bytes of a raw CSV file into UTF-8, never decoding a whole file wrongly.

Accepted (data contract sections 1 and 6):

- UTF-16 with a byte-order mark (Excel's "Unicode text" export);
- UTF-8 with or without a byte-order mark;
- Windows-1252 (Excel's default on Dutch Windows), also for single lines of
  an otherwise UTF-8 file: such a file is decoded line by line, each line as
  UTF-8 when it is valid UTF-8 and as Windows-1252 otherwise, and the number
  of lines read as Windows-1252 is reported.

The result is always UTF-8 bytes (what pyarrow's CSV reader reads). A valid
UTF-8 file is passed on as it is (no copy); the check runs in blocks, so it
never holds a decoded copy of a large file.
"""

from __future__ import annotations

from dataclasses import dataclass

from zwt_analysis.errors import FatalInputError

BOM_UTF8 = b"\xef\xbb\xbf"
BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")
#: Bytes checked per block (the block is extended to the next line end).
BLOCK = 1 << 22

#: ``encoding`` values in validation.json.
UTF8, UTF8_BOM, CP1252, MIXED, UTF16 = "utf-8", "utf-8-sig", "cp1252", "utf-8+cp1252", "utf-16"


@dataclass(frozen=True)
class Decoded:
    """A raw file as UTF-8 bytes, with how it was decoded.

    ``encoding`` is ``utf-8``, ``utf-8-sig`` (with BOM), ``cp1252`` (every
    line with non-ASCII bytes was Windows-1252), ``utf-8+cp1252`` (some lines
    each) or ``utf-16``. ``cp1252_lines`` counts the lines read as Windows-1252.
    """

    encoding: str
    utf8: bytes
    cp1252_lines: int = 0


def decode_file(data: bytes, path: object = "") -> Decoded:
    """Decode raw bytes (see the module docstring) into UTF-8 bytes without a BOM.

    Raises:
        FatalInputError: NUL bytes without a UTF-16 byte-order mark (a binary
            file, or UTF-16 without BOM), invalid UTF-16, or a line that is
            neither UTF-8 nor Windows-1252 (bytes 0x81, 0x8d, 0x8f, 0x90, 0x9d);
            the message names the line.
    """
    if data.startswith(BOMS_UTF16):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise FatalInputError(
                f"{path}: not valid UTF-16 near byte {err.start}; save the export again "
                "as 'CSV UTF-8' or as Unicode text") from None
        return Decoded(UTF16, text.encode("utf-8"))
    bom = data.startswith(BOM_UTF8)
    body = data[len(BOM_UTF8):] if bom else data
    if b"\x00" in body:
        line = body[: body.index(b"\x00")].count(b"\n") + 1
        raise FatalInputError(
            f"{path}: not a text file (NUL byte on line {line}); if it is UTF-16 text, "
            "save it with a byte-order mark (Excel: 'Unicode text') or as 'CSV UTF-8'")
    utf8, cp_lines, utf8_non_ascii = _decode_lines(body, path)
    if cp_lines == 0:
        return Decoded(UTF8_BOM if bom else UTF8, utf8)
    return Decoded(MIXED if utf8_non_ascii or bom else CP1252, utf8, cp_lines)


def detect_encoding(data: bytes, path: object = "") -> tuple[str, str]:
    """``(encoding, text)`` of raw bytes (see :func:`decode_file`), BOM removed."""
    d = decode_file(data, path)
    return d.encoding, d.utf8.decode("utf-8")


def _blocks(data: bytes):
    """``(start, end)`` of blocks of about :data:`BLOCK` bytes ending at a line end."""
    pos, n = 0, len(data)
    while pos < n:
        end = min(n, pos + BLOCK)
        if end < n:
            nl = data.find(b"\n", end)
            end = n if nl < 0 else nl + 1
        yield pos, end
        pos = end


def _decode_lines(data: bytes, path: object) -> tuple[bytes, int, bool]:
    """UTF-8 bytes of ``data``; lines that are not UTF-8 are read as Windows-1252.

    Returns ``(utf8, lines read as cp1252, some UTF-8 line holds non-ASCII)``.
    ``data`` itself is returned when it is valid UTF-8.
    """
    parts: list[bytes] = []
    cp_lines = 0
    non_ascii = False
    for start, end in _blocks(data):
        block = data[start:end]
        try:
            block.decode("utf-8")
            non_ascii = non_ascii or not block.isascii()
            parts.append(block)
            continue
        except UnicodeDecodeError:
            pass
        for i, line in enumerate(block.splitlines(keepends=True)):
            try:
                line.decode("utf-8")
                non_ascii = non_ascii or not line.isascii()
                parts.append(line)
            except UnicodeDecodeError:
                parts.append(_cp1252_line(line, data, start, i, path))
                cp_lines += 1
    if cp_lines == 0:
        return data, 0, non_ascii
    return b"".join(parts), cp_lines, non_ascii


def _cp1252_line(line: bytes, data: bytes, block_start: int, index: int, path: object) -> bytes:
    try:
        return line.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError as err:
        number = len(data[:block_start].splitlines()) + index + 1
        byte = line[err.start: err.start + 1].hex()
        raise FatalInputError(
            f"{path}: cannot decode line {number} (byte 0x{byte}) as UTF-8 or Windows-1252; "
            "save the export again as 'CSV UTF-8'") from None
