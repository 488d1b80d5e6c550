from rest_framework.renderers import JSONRenderer


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful API response in `{success, message, data[, meta]}`.

    The message comes from the view's `success_messages[action]`, the `meta` from the
    paginator (set on the response). Error bodies are already enveloped by the exception
    handler and pass through unchanged.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is None or response.status_code >= 400:
            return super().render(data, accepted_media_type, renderer_context)
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
        return super().render(envelope, accepted_media_type, renderer_context)
