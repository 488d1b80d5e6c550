from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.views import RoleViewSet
from clients.views import ClientViewSet
from contacts.views import ContactViewSet
from events.views import EventViewSet
from webhooks.views import WebhookEndpointViewSet

from . import health
from .api.views import APINotFoundView
from .redoc_bundle import redoc_bundle


class OptionalSlashRouter(SimpleRouter):
    """Every route answers with and without a trailing slash (API.md 1), never redirecting."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("clients", ClientViewSet, basename="client")
router.register("roles", RoleViewSet, basename="role")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
# Ids are digits; anything else under /api/ falls through to the 404 envelope.
for viewset in (ContactViewSet, ClientViewSet, WebhookEndpointViewSet):
    viewset.lookup_value_regex = "[0-9]+"

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    re_path(r"^api/", APINotFoundView.as_view()),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # The welcome email's one-time link: Django's own set-password views.
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

handler400 = "contacts_api.api.middleware.bad_request"
handler500 = "contacts_api.api.middleware.server_error"
