from django.apps import AppConfig


class DataIOConfig(AppConfig):
    """File import and export: sources (CSV, JSON Lines), field cleaning, the batch runner
    and the commands' shared parts. Each entity's own columns and batch writes stay in
    <app>/importing.py."""

    name = "dataio"
