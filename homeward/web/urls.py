"""The pages (GOV.UK Frontend). Every page but sign-in needs a signed-in person."""

from django.urls import path

from .views import auth, board, children, episodes, report, search

app_name = "web"

urlpatterns = [
    path("sign-in", auth.SignInView.as_view(), name="sign_in"),
    path("sign-out", auth.SignOutView.as_view(), name="sign_out"),
    path("", board.home, name="home"),
    path("missing-now", board.board, name="board"),
    path("search", search.search, name="search"),
    path("report", report.report_find, name="report"),
    path("report/new-child", report.report_new_child, name="report_new_child"),
    path("report/children/<int:child_id>", report.report_episode, name="report_episode"),
    path("children/<int:child_id>", children.child_page, name="child"),
    path("children/<int:child_id>/philomena", children.philomena_page, name="philomena"),
    path("children/<int:child_id>/philomena.pdf", children.philomena_pdf, name="philomena_pdf"),
    path("children/<int:child_id>/philomena/photo", children.philomena_photo, name="philomena_photo"),
    path("episodes/<int:episode_id>", episodes.episode_page, name="episode"),
    path("episodes/<int:episode_id>/risk", episodes.episode_regrade, name="episode_regrade"),
    path("episodes/<int:episode_id>/classification", episodes.episode_reclassification, name="episode_reclassify"),
    path("episodes/<int:episode_id>/found", episodes.episode_found, name="episode_found"),
    path("episodes/<int:episode_id>/cancel", episodes.episode_cancellation, name="episode_cancel"),
    path("episodes/<int:episode_id>/actions/<slug:action>", episodes.episode_action, name="episode_action"),
]
