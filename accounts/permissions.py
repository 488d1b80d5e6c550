from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import APIKey


class HasAPIKeyScope(BasePermission):
    """A valid key is needed; only a `write` key may change data."""

    message = "This API key is read-only; a write key is needed for this request."

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, APIKey):
            return False
        return request.method in SAFE_METHODS or key.scope == APIKey.Scope.WRITE
