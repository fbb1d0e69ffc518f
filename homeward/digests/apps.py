from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "homeward.digests"
    label = "digests"
