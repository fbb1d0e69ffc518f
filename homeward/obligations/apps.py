from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "homeward.obligations"
    label = "obligations"

    def ready(self) -> None:
        # A malformed protocol file stops start-up here, with a message naming the key.
        from .protocol_source import active_protocol

        active_protocol()
