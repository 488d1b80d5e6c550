import json
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser


class StrictJSONParser(JSONParser):
    """JSON, refusing text that cannot be stored (lone UTF-16 surrogates such as "\\ud800")."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError("JSON parse error - the body holds text that is not valid UTF-8.") from error
        return data


_NESTED_KEY = re.compile(r"^(?P<parent>\w+)(?:\[(?P<bracket>\w+)\]|\.(?P<dot>\w+))$")


class NestedFormParser(FormParser):
    """Form bodies as a plain dict; `social[linkedin]=x` or `social.linkedin=x` nest."""

    def parse(self, stream, media_type=None, parser_context=None):
        query_dict = super().parse(stream, media_type, parser_context)
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
