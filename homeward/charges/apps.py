from django.apps import AppConfig


class ChargesConfig(AppConfig):
    name = "homeward.charges"
    label = "charges"
