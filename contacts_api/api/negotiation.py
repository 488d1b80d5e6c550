from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Answer with the only renderer a view has, whatever `Accept` or `?format=` say.

    The API speaks JSON only: a client asking for HTML gets JSON rather than a 406 that
    the contract does not list, and `format` stays an ignored unknown parameter. Views
    that offer a choice (the OpenAPI schema: JSON or YAML) negotiate as usual.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) > 1:
            try:
                return super().select_renderer(request, renderers, format_suffix)
            except NotAcceptable:
                pass
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        # A body's Content-Type names one type: `*/*`, `application/*` or `*/json` would
        # match any parser in DRF's comparison, and the contract answers them with 415.
        if "*" in request.content_type.split(";")[0]:
            return None
        return super().select_parser(request, parsers)
