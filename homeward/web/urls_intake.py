"""The pages of police notifications by email (issue 12): the triage queue, a message, the upload."""

from django.urls import path

import homeward.common.converters  # noqa: F401  (registers <id:...>)

from .views import intake

urlpatterns = [
    path("police-notifications", intake.queue, name="intake_queue"),
    path("police-notifications/upload", intake.upload, name="intake_upload"),
    path("police-notifications/<id:message_id>", intake.message_page, name="intake_message"),
    path("police-notifications/<id:message_id>/original.eml", intake.original, name="intake_original"),
    path("police-notifications/<id:message_id>/match", intake.match, name="intake_match"),
    path("police-notifications/<id:message_id>/new-child", intake.new_child, name="intake_new_child"),
    path("police-notifications/<id:message_id>/archive", intake.archive, name="intake_archive"),
]
