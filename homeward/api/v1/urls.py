from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import homeward.common.converters  # noqa: F401  (registers <id:...>)

from . import audit, children, codes, episodes, followup, imports, notifications, obligations, reports, rhi
from .charges import ChargesCsvView, ChargeWithdrawalView
from .consultations import ConsultationCountsView, ConsultationOutcomeView, EpisodeConsultationsView

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file; our template has no inline style (CSP).
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("children", children.ChildListCreateView.as_view(), name="api-children"),
    path("children/<id:child_id>", children.ChildDetailView.as_view(), name="api-child"),
    path("episodes", episodes.EpisodeListCreateView.as_view(), name="api-episodes"),
    path("episodes/<id:episode_id>", episodes.EpisodeDetailView.as_view(), name="api-episode"),
    path("episodes/<id:episode_id>/risk-gradings", episodes.RiskGradingView.as_view(),
         name="api-episode-risk-gradings"),
    path("episodes/<id:episode_id>/classifications", episodes.ClassificationView.as_view(),
         name="api-episode-classifications"),
    path("episodes/<id:episode_id>/found", episodes.FoundView.as_view(), name="api-episode-found"),
    path("episodes/<id:episode_id>/cancel", episodes.CancelView.as_view(), name="api-episode-cancel"),
    path("episodes/<id:episode_id>/notifications", notifications.EpisodeNotificationsView.as_view(),
         name="api-episode-notifications"),
    path("episodes/<id:episode_id>/actions", followup.ActionView.as_view(), name="api-episode-actions"),
    path("episodes/<id:episode_id>/strategy-meetings", followup.StrategyMeetingView.as_view(),
         name="api-episode-strategy-meetings"),
    path("episodes/<id:episode_id>/strategy-meetings/<id:meeting_id>/actions/<id:action_id>/done",
         followup.MeetingActionDoneView.as_view(), name="api-episode-strategy-meeting-action-done"),
    path("episodes/<id:episode_id>/close", followup.CloseView.as_view(), name="api-episode-close"),
    path("episodes/<id:episode_id>/rhi/allocation", rhi.AllocationView.as_view(), name="api-rhi-allocation"),
    path("episodes/<id:episode_id>/rhi/offer", rhi.OfferView.as_view(), name="api-rhi-offer"),
    path("episodes/<id:episode_id>/rhi/interview", rhi.InterviewView.as_view(), name="api-rhi-interview"),
    path("episodes/<id:episode_id>/rhi/amendment", rhi.AmendmentView.as_view(), name="api-rhi-amendment"),
    path("episodes/<id:episode_id>/whereabouts", episodes.WhereaboutsView.as_view(), name="api-episode-whereabouts"),
    path("episodes/<id:episode_id>/rhi/authorisation", rhi.AuthorisationView.as_view(),
         name="api-rhi-authorisation"),
    path("episodes/<id:episode_id>/rhi/sharing", rhi.SharingView.as_view(), name="api-rhi-sharing"),
    path("episodes/<id:episode_id>/obligations", obligations.EpisodeObligationsView.as_view(),
         name="api-episode-obligations"),
    path("worklist", obligations.WorklistView.as_view(), name="api-worklist"),
    path("codes/<slug:list_name>", codes.CodesView.as_view(), name="api-codes"),
    path("audit", audit.AuditView.as_view(), name="api-audit"),
    path("children/<id:child_id>/access-log", audit.ChildAccessLogView.as_view(), name="api-child-access-log"),
    path("reports/weekly", reports.WeeklyReportView.as_view(), name="api-report-weekly"),
    path("reports/performance", reports.PerformanceView.as_view(), name="api-report-performance"),
    path("reports/patterns", reports.PatternsView.as_view(), name="api-report-patterns"),
    path("reports/ssda903/missing", reports.Ssda903MissingView.as_view(), name="api-report-ssda903-missing"),
    path("reports/annex-a", reports.AnnexAView.as_view(), name="api-report-annex-a"),
    path("reports/ssd-missing", reports.SsdMissingView.as_view(), name="api-report-ssd-missing"),
    path("imports/ssda903-missing", imports.ImportSsda903MissingView.as_view(), name="api-import-ssda903-missing"),
    path("imports/<id:job_id>", imports.ImportJobView.as_view(), name="api-import-job"),
    # Consultations and referrals as decisions; charges for exceptional interviews (issue 15).
    path("episodes/<id:episode_id>/consultations", EpisodeConsultationsView.as_view(),
         name="api-episode-consultations"),
    path("episodes/<id:episode_id>/consultations/<id:consultation_id>/outcome",
         ConsultationOutcomeView.as_view(), name="api-episode-consultation-outcome"),
    path("reports/consultations", ConsultationCountsView.as_view(), name="api-report-consultations"),
    path("charges", ChargesCsvView.as_view(), name="api-charges"),
    path("charges/<id:charge_id>/withdrawal", ChargeWithdrawalView.as_view(), name="api-charge-withdrawal"),
]
