import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import QueryDict
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.utils import json as drf_json


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ParseError(f"JSON parse error - a key appears twice in one object: {', '.join(repeated)}.")
    return dict(pairs)


class StrictJSONParser(JSONParser):
    """JSON, refusing what DRF's parser would let through or fail on: a key twice in one
    object (DRF keeps the last), nesting deep enough to exhaust Python's recursion (a
    500), and text that cannot be stored (lone UTF-16 surrogates such as "\\ud800")."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            # DRF's own loads: NaN and Infinity are refused, as its parser does.
            data = drf_json.loads(stream.read().decode(encoding), object_pairs_hook=_no_duplicate_keys)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body nests too deep.") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError("JSON parse error - the body holds text that is not valid UTF-8.") from error
        return data


_NESTED_KEY = re.compile(r"^(?P<parent>\w+)(?:\[(?P<bracket>\w+)\]|\.(?P<dot>\w+))$")


def _check_utf8(body: bytes) -> None:
    """A form's names and values, once percent-decoded, must be UTF-8: Django would store
    an invalid byte as U+FFFD."""
    try:
        for field in body.split(b"&"):
            for part in field.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError("Form parse error - the body is not valid UTF-8.") from error


class NestedFormParser(FormParser):
    """Form bodies as a plain dict; `social[linkedin]=x` or `social.linkedin=x` nest."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        _check_utf8(body)
        query_dict = QueryDict(body, encoding=(parser_context or {}).get("encoding", settings.DEFAULT_CHARSET))
        data: dict = {}
        for key in query_dict:
            value = query_dict[key]
            match = _NESTED_KEY.match(key)
            if match:
                parent = data.setdefault(match["parent"], {})
                if isinstance(parent, dict):
                    parent[match["bracket"] or match["dot"]] = value
            else:
                data[key] = value
        return data
