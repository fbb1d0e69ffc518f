from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "homeward.exchange"
    label = "exchange"
    verbose_name = "Authority to authority exchange"
    default_auto_field = "django.db.models.BigAutoField"
