"""Request hygiene for the API, in one place (issue 11): strict text and a JSON parser that
refuses what no client written against docs/api.md sends (docs/api.md#request-limits).

- Text is text: `{"impressions": 123}` is a 400 naming the field, not the string "123"; every
  text field is at most MAX_TEXT characters (clinical narrative) unless it says less.
- The JSON body: no NUL byte in any key or value, nested at most MAX_DEPTH deep, no list longer
  than MAX_ITEMS; a parse error is a 400 with the reason, never a 500 (a body nested thousands
  deep used to exhaust Python's recursion).
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_TEXT = 10_000
MAX_DEPTH = 20
MAX_ITEMS = 500


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string: send text in quotes."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _unpaired_surrogate(text: str) -> bool:
    """JSON may spell half of a UTF-16 pair ("\\ud800"); such text cannot be stored or even
    echoed back in an error message."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(value, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(f"{path or 'body'}: nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(f"{path or 'body'}: NUL characters are not allowed.")
        if _unpaired_surrogate(value):
            raise ParseError(f"{path or 'body'}: text with an unpaired surrogate is not allowed.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                raise ParseError(f"{path or 'body'}: NUL characters are not allowed in keys.")
            if _unpaired_surrogate(key):
                raise ParseError(f"{path or 'body'}: a key with an unpaired surrogate.")
            _check(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise ParseError(f"{path or 'body'}: at most {MAX_ITEMS} items.")
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)


def strict_json_loads(raw: str):
    """json.loads with the API's rules (depth, NUL, list sizes, surrogates, no NaN): for the
    page endpoints that take JSON too (form drafts). Raises ParseError with the reason."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ParseError(f"body: nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError as exc:
        raise ParseError(f"JSON parse error: {str(exc)[:120]}") from None
    _check(data, "", 0)
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read().decode(encoding)
            data = json.loads(raw, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"body: nested more than {MAX_DEPTH} levels deep.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error: {str(exc)[:120]}") from None
        _check(data, "", 0)
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
