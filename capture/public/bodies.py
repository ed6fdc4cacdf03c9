"""A submission body read into one flat dict of fields, whatever arrives.

Url-encoded (what the snippet and plain HTML forms send), JSON (API clients)
and multipart bodies all end as ``{name: value}``, the first of repeated names
winning. Anything that cannot be read is an ``UnreadableBody`` with the status
and the plain words to answer, never an exception from deep inside a parser:

- Text is decoded, never guessed. UTF-8 unless a charset is declared; a
  declared charset is used when Python has a codec for it that is a superset
  of ASCII (url-encoding and JSON syntax assume one), and refused with a 415
  otherwise. Bytes the charset cannot decode become lone surrogates
  (``surrogateescape``), so the answers' validator names the field they are in
  instead of their being replaced without a word.
- JSON nested deeper than ``MAX_DEPTH`` is refused before it is parsed (the
  parser would recurse until ``RecursionError``).
- More than ``MAX_FIELDS`` fields, in any body type, is a 413, like a body over
  ``MAX_BODY_BYTES``: both are limits on size the sender cannot fix by
  correcting a field.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import lru_cache
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import get_input_stream

from capture.public.answers import is_json
from capture.public.intake import MAX_FIELDS, parse_urlencoded

MAX_DEPTH = 32  # a form is one object of plain values; 32 levels is far beyond any real client

BAD_BODY = "Send the form as form fields or a JSON object."
TOO_LARGE = "The submission is too large."
TOO_MANY_FIELDS = f"The submission has more than {MAX_FIELDS} fields."
TOO_DEEP = "The submission is nested too deeply: send the form as one JSON object of fields."
CUT_SHORT = "The submission arrived incomplete. Please try again."
NOT_TEXT = "The submission is not valid text in its character set; send it as UTF-8."

# Python codecs that transform text rather than encode characters, or switch
# between character sets inside the text: never a body's charset.
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "hz"})
_ASCII = bytes(range(128))
# A JSON string (escapes included), or a bracket outside of one.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class UnreadableBody(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def unknown_charset(charset: str) -> str:
    return f"The submission's character set ({charset[:40]}) cannot be read here; send it as UTF-8."


@lru_cache(maxsize=64)
def _codec(charset: str) -> str | None:
    """Python's codec for a declared charset, or ``None`` when Python has none
    that reads ASCII as ASCII."""
    try:
        name = codecs.lookup(charset).name
        if name in _NOT_CHARSETS or name.startswith("iso2022"):
            return None
        text = _ASCII.decode(name)
        return name if text == _ASCII.decode("ascii") and text.encode(name) == _ASCII else None
    except (LookupError, UnicodeError, ValueError):  # LookupError: also "not a text encoding"
        return None


def _charset_of(options: dict[str, str], default: str = "utf-8") -> str:
    """The codec for a Content-Type's ``charset`` parameter; raises ``UnreadableBody`` (415)."""
    declared = options.get("charset")
    if declared is None:
        return default
    codec = _codec(declared.strip().lower()) if len(declared) <= 40 else None
    if codec is None:
        raise UnreadableBody(415, unknown_charset(declared.strip()))
    return codec


def read_form(environ: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """The body of a ``POST`` as a flat dict of fields; raises ``UnreadableBody``."""
    mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
    body = _read_body(environ, max_bytes)
    if mimetype == "application/x-www-form-urlencoded":
        # What the snippet sends: parsed directly, at half the cost of werkzeug's form parser.
        codec = _charset_of(options)
        data = parse_urlencoded(body.decode(codec, "surrogateescape"), codec)
        if data is None:
            raise UnreadableBody(413, TOO_MANY_FIELDS)
        return data
    if is_json(mimetype):
        return _json_object(body, options)
    if mimetype == "multipart/form-data":
        return _multipart(body, options.get("boundary", ""))
    return {}


def _read_body(environ: dict[str, Any], max_bytes: int) -> bytes:
    # One byte over the limit is read to tell "too large" from "exactly at it": a
    # body without Content-Length (chunked) is otherwise cut short, not refused.
    try:
        body = get_input_stream(environ, max_content_length=max_bytes + 1).read()
    except RequestEntityTooLarge as exc:
        raise UnreadableBody(413, TOO_LARGE) from exc
    except ClientDisconnected as exc:  # fewer bytes than its Content-Length said
        raise UnreadableBody(400, CUT_SHORT) from exc
    if len(body) > max_bytes:
        raise UnreadableBody(413, TOO_LARGE)
    return body


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether JSON ``text`` opens more than ``limit`` arrays or objects inside
    each other (brackets inside strings do not count). Counting the brackets
    answers for nearly every real body without scanning it."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


def _json_object(body: bytes, options: dict[str, str]) -> dict[str, Any]:
    codec = _charset_of(options, default=json.detect_encoding(body))
    try:
        text = body.decode(codec, "surrogateescape")
    except UnicodeError as exc:  # a UTF-16/32 body with bytes below 0x80 out of place
        raise UnreadableBody(400, NOT_TEXT) from exc
    if nesting_exceeds(text, MAX_DEPTH):
        raise UnreadableBody(400, TOO_DEEP)
    try:
        data = json.loads(text)
    except ValueError as exc:  # not JSON, or an integer of more than 4,300 digits
        raise UnreadableBody(400, BAD_BODY) from exc
    if not isinstance(data, dict):
        raise UnreadableBody(400, BAD_BODY)
    if len(data) > MAX_FIELDS:
        raise UnreadableBody(413, TOO_MANY_FIELDS)
    return data


def _multipart(body: bytes, boundary: str) -> dict[str, str]:
    """Read with werkzeug's multipart decoder, but with our charset rules and
    limits (its form parser replaces undecodable bytes with U+FFFD). A form has
    no file fields: uploads are counted as fields and dropped."""
    if not boundary:
        raise UnreadableBody(400, BAD_BODY)
    data: dict[str, str] = {}
    parts = 0
    part: Field | File | None = None
    chunks: list[bytes] = []
    try:
        decoder = MultipartDecoder(boundary.encode("ascii"))
        decoder.receive_data(body)
        decoder.receive_data(None)
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field | File):
                parts += 1
                if parts > MAX_FIELDS:
                    raise UnreadableBody(413, TOO_MANY_FIELDS)
                if event.name is None:
                    raise UnreadableBody(400, BAD_BODY)
                part, chunks = event, []
            elif isinstance(event, Data) and isinstance(part, Field):
                chunks.append(event.data)
                if not event.more_data:
                    data.setdefault(part.name, _part_text(b"".join(chunks), part.headers))
            event = decoder.next_event()
    except ValueError as exc:  # malformed, including a part header that is not UTF-8
        raise UnreadableBody(400, BAD_BODY) from exc
    return data


def _part_text(value: bytes, headers: Headers) -> str:
    options = parse_options_header(headers.get("content-type", ""))[1]
    return value.decode(_charset_of(options), "surrogateescape")
