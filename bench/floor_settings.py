"""Settings for serving F (bench/floor.py): the project's, with no middleware and F's URLs."""

from contacts_api.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
MIDDLEWARE = []
