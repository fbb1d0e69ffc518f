from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "homeward.meetings"
    label = "meetings"
