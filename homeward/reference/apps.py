from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "homeward.reference"
    label = "reference"
