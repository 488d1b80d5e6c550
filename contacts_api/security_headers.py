"""Content-Security-Policy on every response (the docs pages and the admin are the ones a
browser renders). Django 5.2 has no CSP of its own; SecurityMiddleware already sends
X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
