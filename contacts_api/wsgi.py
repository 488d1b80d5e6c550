import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from contacts_api.serving import ChunkedRequestBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_api.settings")
application = ChunkedRequestBodies(get_wsgi_application(), limit=settings.API_MAX_BODY_SIZE)
