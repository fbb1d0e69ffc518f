"""The pages of police notifications by email (issue 12): the triage queue, a message, the upload."""

from django.urls import path

from .views import intake

urlpatterns = [
    path("police-notifications", intake.queue, name="intake_queue"),
    path("police-notifications/upload", intake.upload, name="intake_upload"),
    path("police-notifications/<int:message_id>", intake.message_page, name="intake_message"),
    path("police-notifications/<int:message_id>/original.eml", intake.original, name="intake_original"),
    path("police-notifications/<int:message_id>/match", intake.match, name="intake_match"),
    path("police-notifications/<int:message_id>/new-child", intake.new_child, name="intake_new_child"),
    path("police-notifications/<int:message_id>/archive", intake.archive, name="intake_archive"),
]
