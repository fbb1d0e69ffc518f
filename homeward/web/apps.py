from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeward.web"
    label = "web"
