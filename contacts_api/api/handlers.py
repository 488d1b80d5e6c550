from django.views.defaults import server_error as django_server_error

from .exceptions import SERVER_ERROR_MESSAGE, error_body
from .middleware import API_PREFIX, json_error_response


def server_error(request, *args, **kwargs):
    """The 500 envelope on API paths; Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return json_error_response(error_body(500, SERVER_ERROR_MESSAGE), 500)
    return django_server_error(request, *args, **kwargs)
