from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "homeward.consultations"
    label = "consultations"
