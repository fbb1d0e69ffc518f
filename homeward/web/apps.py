from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeward.web"
    label = "web"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from homeward.reference.models import Authority

        from .context_processors import home_authority_forget

        post_save.connect(home_authority_forget, sender=Authority, dispatch_uid="homeward.web.home_authority_saved")
        post_delete.connect(home_authority_forget, sender=Authority,
                            dispatch_uid="homeward.web.home_authority_deleted")
