from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "homeward.reporting"
    label = "reporting"
