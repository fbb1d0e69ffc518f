from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "homeward.imports"
    label = "imports"
