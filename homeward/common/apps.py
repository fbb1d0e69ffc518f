from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "homeward.common"
    label = "common"
