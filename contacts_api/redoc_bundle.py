"""Redoc's standalone bundle as the docs page loads it: from this host, asking no other.

The bundle of drf-spectacular-sidecar draws its footer logo from
https://cdn.redoc.ly/redoc/logo-mini.svg, a request to another host that API.md 5 rules
out (and that the Content-Security-Policy would block in the browser anyway). This view
serves the same bundle with that one address replaced by an inline image.
"""

from functools import lru_cache
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpResponse
from django.views.decorators.cache import cache_control

BUNDLE = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REMOTE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
INLINE_LOGO = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@lru_cache(maxsize=1)
def bundle() -> bytes:
    return BUNDLE.read_bytes().replace(REMOTE_LOGO, INLINE_LOGO)


@cache_control(public=True, max_age=86400)
def redoc_bundle(request):
    return HttpResponse(bundle(), content_type="application/javascript; charset=utf-8")
