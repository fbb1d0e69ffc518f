"""The pages of the messages held from other authorities' Homeward (issue 13): the list, a
message with the search for its child, and the match (confirmed on a page of its own)."""

from django.urls import path

import homeward.common.converters  # noqa: F401  (registers <id:...>)

from .views import exchange

urlpatterns = [
    path("authority-messages", exchange.held, name="exchange_held"),
    path("authority-messages/<id:message_id>", exchange.message_page, name="exchange_message"),
    path("authority-messages/<id:message_id>/match", exchange.match, name="exchange_match"),
]
