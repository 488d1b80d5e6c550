import json

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Types orjson would write its own way are handed to DRF's encoder instead, so that the
# bytes are the ones DRF's JSONRenderer writes (compact, UTF-8, DRF's date format).
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())


class RawJSON:
    """JSON text read from the database, written into the answer as it is: the feed sends
    1,000 events a page, and decoding their JSON only to encode it again would cost
    more than the rest of the request (docs/PERFORMANCE.md, Events)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class RawJSONEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, RawJSON):
            return json.loads(obj.text)
        return super().default(obj)


_ENCODER = RawJSONEncoder()


def _orjson_default(obj):
    if isinstance(obj, RawJSON):
        return orjson.Fragment(obj.text)
    return _ENCODER.default(obj)


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful API response in `{success, message, data[, meta]}`.

    The message comes from the view's `success_messages[action]`, the `meta` from the
    paginator (set on the response). Error bodies are already enveloped by the exception
    handler and pass through unchanged. JSON is written by orjson, ten times faster than
    the json module on a 100-row page, into the bytes DRF writes with this project's
    settings (compact, UTF-8); an indented answer is DRF's own.
    """

    encoder_class = RawJSONEncoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is None or response.status_code >= 400:
            return self._dumps(data, accepted_media_type, context)
        view = context.get("view")
        messages = getattr(view, "success_messages", {})
        envelope = {
            "success": True,
            "message": messages.get(getattr(view, "action", None), "OK"),
            "data": data,
        }
        meta = getattr(response, "meta", None)
        if meta is not None:
            envelope["meta"] = meta
        return self._dumps(envelope, accepted_media_type, context)

    def _dumps(self, data, accepted_media_type, context) -> bytes:
        if data is None or self.get_indent(accepted_media_type, context):
            return super().render(data, accepted_media_type, context)
        try:
            content = orjson.dumps(data, default=_orjson_default, option=ORJSON_OPTIONS)
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the json module's way
            return super().render(data, accepted_media_type, context)
        if LINE_SEPARATORS[0] in content or LINE_SEPARATORS[1] in content:
            # As DRF does: JSON that is also valid JavaScript.
            content = content.replace(LINE_SEPARATORS[0], b"\\u2028").replace(LINE_SEPARATORS[1], b"\\u2029")
        return content
