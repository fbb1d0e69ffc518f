from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homeward.accounts"
    label = "accounts"
