"""The pages (GOV.UK Frontend). Every page but sign-in needs a signed-in person."""

from django.urls import include, path

from .views import auth, board, children, episodes, interviews, meetings, report, reports, search

app_name = "web"

urlpatterns = [
    path("sign-in", auth.SignInView.as_view(), name="sign_in"),
    path("sign-out", auth.SignOutView.as_view(), name="sign_out"),
    path("", include("homeward.web.urls_security")),
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
    path("episodes/<int:episode_id>/meetings/new", meetings.meeting_new, name="meeting_new"),
    path("episodes/<int:episode_id>/meetings/<int:meeting_id>/actions/<int:action_id>/done",
         meetings.meeting_action_done, name="meeting_action_done"),
    path("episodes/<int:episode_id>/close", meetings.episode_close_page, name="episode_close"),
    path("episodes/<int:episode_id>/interview", interviews.rhi_page, name="rhi"),
    path("episodes/<int:episode_id>/interview/allocate", interviews.rhi_allocate_page, name="rhi_allocate"),
    path("episodes/<int:episode_id>/interview/offer", interviews.rhi_offer_page, name="rhi_offer"),
    path("episodes/<int:episode_id>/interview/record", interviews.rhi_record_page, name="rhi_record"),
    path("episodes/<int:episode_id>/interview/authorise", interviews.rhi_authorise_page, name="rhi_authorise"),
    path("episodes/<int:episode_id>/interview/share", interviews.rhi_share_page, name="rhi_share"),
    path("interviews", interviews.rhi_pipeline, name="rhi_pipeline"),
    path("interviews/mine", interviews.my_interviews, name="my_interviews"),
    path("reports", reports.reports_index, name="reports"),
    path("reports/weekly", reports.weekly, name="reports_weekly"),
    path("reports/weekly.pdf", reports.weekly_pdf, name="reports_weekly_pdf"),
    path("reports/performance", reports.performance_page, name="reports_performance"),
    path("reports/patterns", reports.patterns_page, name="reports_patterns"),
    path("reports/statutory", reports.statutory, name="reports_statutory"),
    path("reports/statutory/ssda903-missing.csv", reports.statutory_ssda903, name="reports_ssda903"),
    path("reports/statutory/annex-a-list-8.xlsx", reports.statutory_annex_a, name="reports_annex_a"),
    path("reports/statutory/ssd_missing.csv", reports.statutory_ssd, name="reports_ssd"),
    path("reports/import", reports.import_upload, name="reports_import"),
    path("reports/import/<int:job_id>", reports.import_job, name="reports_import_job"),
]
