"""Text made safe for the report files: XML 1.0's character rules, UTF-8's."""

from __future__ import annotations

import re

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, lone
    surrogates, U+FFFE/U+FFFF). Markdown and HTML reports drop them too."""
    return _NOT_XML.sub("", text)


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates (an agent's output can hold them; UTF-8 cannot)
    replaced by U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
