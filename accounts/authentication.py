from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from contacts_api.api.throttling import AuthFailureThrottle

from .services import InvalidAPIKey, api_key_verify


class APIKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` or `X-API-Key: <key>`.

    None when no key was sent (401 not_authenticated), AuthenticationFailed with the
    reason when one was and is wrong. Failures are counted per client address; past
    `API_AUTH_FAILURE_LIMIT` every request from that address is throttled until the
    window passes.
    """

    keyword = "bearer"

    def authenticate(self, request):
        failures = AuthFailureThrottle(request)
        if failures.reached():
            raise Throttled(wait=failures.wait())
        try:
            raw_key = self.raw_key(request)
            if raw_key is None:
                return None
            key = api_key_verify(raw_key)
        except InvalidAPIKey as error:
            failures.hit()
            raise AuthenticationFailed(error.message) from error
        return key.user, key

    def raw_key(self, request) -> str | None:
        """The key sent, None when none was, InvalidAPIKey for a malformed header."""
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, credentials = header.strip().partition(" ")
        if scheme.lower() == self.keyword:
            credentials = credentials.strip()
            if not credentials or " " in credentials:
                raise InvalidAPIKey("Invalid Authorization header: expected 'Bearer <key>'.")
            return credentials
        api_key = request.META.get("HTTP_X_API_KEY", "").strip()
        return api_key or None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents both ways of sending a key, either of which is enough."""

    target_class = APIKeyAuthentication
    name = ["bearerAuth", "apiKeyHeader"]

    def get_security_requirement(self, auto_schema):
        return [{"bearerAuth": []}, {"apiKeyHeader": []}]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key: `Authorization: Bearer ck_...`",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "The same API key in the `X-API-Key` header.",
            },
        ]
