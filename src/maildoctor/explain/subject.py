"""What `maildoctor explain` was given: pasted text, a file's name, or the bytes of a file or of stdin.

Pure: the command line probes the file system; here is only what a string or some bytes look like.

* `unquoted`: a name as the person pasted it ("Copy as path" adds double quotes).
* `worth_probing`: whether a string can be a file name at all (one line, no control
  characters, not too long); anything else is text, and is never handed to the file system.
* `looks_like_file_name`: a string that plainly names a file (`bounce.eml`, `C:\\Users\\…`,
  `~/Mail/x`); when no such file exists, that is "file not found", not an unknown message.
* `content_kind` and `decode_text`: bytes read from a file or from standard input.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Final

MAIL_EXTENSIONS: Final = (".eml", ".mbox", ".mbx", ".msg", ".txt", ".json", ".mail", ".log")
MAX_NAME_BYTES: Final = 4096  # PATH_MAX on Linux; a longer string is text
_QUOTE_PAIRS: Final = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』", "<": ">"}
_PATH_START: Final = re.compile(r"(?:[A-Za-z]:[\\/]|\\\\|~[\\/]|\.{1,2}[\\/]|/)(?=\S)")
_CODE_LIKE: Final = re.compile(
    r"0x[0-9a-f]{8}|(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])|\b[245]\d\d\b", re.I
)
_SENTENCE: Final = re.compile(r"[。、！？]|[.!?:;,] ")


def unquoted(argument: str) -> str:
    """The argument without surrounding white space and one pair of surrounding quotes."""
    text = argument.strip()
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text)


def worth_probing(candidate: str) -> bool:
    """Whether `candidate` can be the name of a file: one line, printable, at most PATH_MAX bytes."""
    if not candidate or _has_control(candidate):
        return False
    return len(candidate.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES


def looks_like_file_name(candidate: str) -> bool:
    """Whether `candidate` (already `unquoted`) plainly names a file rather than being a message.

    A file name is one short line that ends in a mail file's extension, or a path (it starts
    like one, or holds a separator and no spaces) that is not a URL, an address or an error code.
    A sentence that merely mentions a file ("see error.log: it says …") is text.
    """
    if not worth_probing(candidate) or "://" in candidate or len(candidate) > 1024:
        return False
    name = re.split(r"[\\/]", candidate)[-1]
    if len(name.encode("utf-8", "surrogateescape")) > 255:
        return False
    if _PATH_START.match(candidate):
        return not _SENTENCE.search(name) and bool(name.strip())
    if _SENTENCE.search(candidate):
        return False
    if candidate.lower().endswith(MAIL_EXTENSIONS) and len(name) > len(name.rsplit(".", 1)[1]) + 1:
        return True
    if any(char.isspace() for char in candidate) or "@" in candidate:
        return False
    separated = "/" in candidate or "\\" in candidate
    return separated and bool(name) and not _CODE_LIKE.search(candidate) and any(c.isalpha() for c in name)


class ContentKind(StrEnum):
    EMPTY = "empty"  # nothing, or only white space
    OUTLOOK_MSG = "outlook-msg"  # an Outlook .msg (an OLE2 compound file): not readable here
    BINARY = "binary"  # an image, a document, an archive, a program…: not a mail
    MAIL = "mail"  # a whole message (header lines first) or an mbox
    JSON = "json"  # a JSON document (a provider's bounce notification)
    TEXT = "text"  # anything else: a pasted message, a reply, a part of a bounce


_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC: Final = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"7z\xbc\xaf",
    b"Rar!",
)
_SAMPLE: Final = 8192
_CONTROL_BYTES: Final = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}
_ISO_2022_JP: Final = re.compile(rb"\x1b\$[@B]|\x1b\([BJ]")
_HEADER_LINE: Final = re.compile(r"[!-9;-~]{1,76}:")
_MAIL_FIELDS: Final = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "received",
        "return-path",
        "message-id",
        "mime-version",
        "content-type",
        "delivered-to",
        "x-failed-recipients",
        "reply-to",
        "cc",
        "sender",
        "auto-submitted",
        "dkim-signature",
        "arc-seal",
        "authentication-results",
        "x-original-to",
    }
)


def _bom(data: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def decode_text(data: bytes) -> str:
    """Bytes of pasted text as a string: a BOM's encoding, else ISO-2022-JP (its escapes), else
    UTF-8, else Shift_JIS (cp932), else EUC-JP, else UTF-8 with the undecodable bytes replaced."""
    codec = _bom(data)
    if codec is not None:
        return data.decode(codec, "replace").lstrip("\ufeff")
    candidates = ["utf-8", "cp932", "euc-jp"]
    if _ISO_2022_JP.search(data) and max(data, default=0) < 0x80:
        candidates.insert(0, "iso-2022-jp")
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _sloppy_1252(text: str) -> bytes:
    """`text` back to the bytes a Windows-1252 reading made of them (ValueError: it cannot be)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                raise ValueError(char) from None
            out.append(ord(char))  # the five bytes Windows-1252 leaves undefined, read as Latin-1
    return bytes(out)


def _japanese(text: str) -> bool:
    return any("\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff" for char in text)


def repaired_mojibake(text: str) -> str | None:
    """UTF-8 text that was read as Windows-1252 ("ã‚µãƒ¼") or as Shift_JIS ("繧ｵ繝ｼ") and pasted,
    put right; None when `text` is not such a reading (every byte must fit: nothing is guessed)."""
    readings = (_sloppy_1252, lambda garbled: garbled.encode("cp932"))
    for reading in readings:
        try:
            fixed = reading(text).decode("utf-8")
        except (ValueError, UnicodeError):
            continue
        if fixed != text and _japanese(fixed):
            return fixed
    return None


def _binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if not sample or _bom(sample) in ("utf-16-le", "utf-16-be"):
        return False
    if any(sample.startswith(magic) for magic in _MAGIC):
        return True
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    if controls * 20 > len(sample):  # over 5 %: no text looks like that
        return True
    if controls == 0:
        return False
    text = decode_text(sample)
    return "\ufffd" in text[:-1]  # controls and undecodable bytes (the sample may cut a character)


def looks_like_mail(text: str) -> bool:
    """A whole message (header lines first, one of them a mail field) or an mbox ("From " first)."""
    lines = text.lstrip("\r\n").splitlines()[:40]
    if not lines:
        return False
    if re.match(r"From \S+ ", lines[0]) and len(lines) > 1 and _HEADER_LINE.match(lines[1]):
        return True
    fields: list[str] = []
    for line in lines:
        if not line.strip():
            break
        if line[0] in " \t" and fields:
            continue
        found = _HEADER_LINE.match(line)
        if found is None:
            return False
        fields.append(found.group(0)[:-1].lower())
    return len(fields) >= 2 and any(name in _MAIL_FIELDS for name in fields)


def content_kind(data: bytes) -> ContentKind:
    """What bytes read from a file or from standard input hold."""
    if data.startswith(_OLE2):
        return ContentKind.OUTLOOK_MSG
    if _binary(data):
        return ContentKind.BINARY
    text = decode_text(data[: 64 * 1024])
    if not text.strip():
        return ContentKind.EMPTY
    if looks_like_mail(text):
        return ContentKind.MAIL
    if text.lstrip().startswith("{"):
        return ContentKind.JSON
    return ContentKind.TEXT


__all__ = [
    "MAIL_EXTENSIONS",
    "MAX_NAME_BYTES",
    "ContentKind",
    "content_kind",
    "decode_text",
    "looks_like_file_name",
    "looks_like_mail",
    "repaired_mojibake",
    "unquoted",
    "worth_probing",
]
