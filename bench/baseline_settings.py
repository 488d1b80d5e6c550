"""Settings for serving B (bench/baseline.py): the project's, with B's URLs."""

from contacts_api.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline"
