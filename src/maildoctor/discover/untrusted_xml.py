"""XML from a server or a data file, read guardedly: bounded in size, decoded as it declares, and
refused when it holds a DOCTYPE or ENTITY declaration (no entity expansion, nothing fetched),
before ElementTree parses it. Pure; autoconfig's clientConfig (ispdb) and Autodiscover use it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

_FORBIDDEN_MARKUP: Final = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING: Final = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode(data: bytes, error: type[ValueError]) -> str:
    """The document as text, so the DTD guard sees what the XML parser would see."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _XML_ENCODING.match(data)
    if declared is None:
        raise error("not UTF-8 and no encoding declared")
    encoding = declared.group(1).decode("ascii")
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as fault:
        raise error(f"cannot decode as the declared encoding {encoding!r}") from fault


def parse_untrusted_xml(data: bytes, *, limit: int, what: str, error: type[ValueError]) -> ET.Element:
    """The document's root element. Raises `error` for more than `limit` bytes (naming the
    document `what`), text that cannot be decoded, a DOCTYPE or ENTITY declaration, or XML that
    is not well formed."""
    if len(data) > limit:
        raise error(f"{what} of {len(data)} bytes, more than {limit}")
    text = _decode(data, error)
    if _FORBIDDEN_MARKUP.search(text):
        raise error("DOCTYPE and ENTITY declarations are not allowed")
    import xml.etree.ElementTree as ET  # here, when a start parses XML; DTDs and entities refused above

    try:
        return ET.fromstring(text)  # noqa: S314 - guarded above
    except ET.ParseError as fault:
        raise error(f"not well-formed XML: {fault}") from fault


__all__ = ["parse_untrusted_xml"]
