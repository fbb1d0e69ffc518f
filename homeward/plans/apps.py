from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "homeward.plans"
    label = "plans"
    verbose_name = "Action plans and return visits"
