from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import audit, children, codes, episodes, followup, notifications, obligations, rhi

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("children", children.ChildListCreateView.as_view(), name="api-children"),
    path("children/<int:child_id>", children.ChildDetailView.as_view(), name="api-child"),
    path("episodes", episodes.EpisodeListCreateView.as_view(), name="api-episodes"),
    path("episodes/<int:episode_id>", episodes.EpisodeDetailView.as_view(), name="api-episode"),
    path("episodes/<int:episode_id>/risk-gradings", episodes.RiskGradingView.as_view(),
         name="api-episode-risk-gradings"),
    path("episodes/<int:episode_id>/classifications", episodes.ClassificationView.as_view(),
         name="api-episode-classifications"),
    path("episodes/<int:episode_id>/found", episodes.FoundView.as_view(), name="api-episode-found"),
    path("episodes/<int:episode_id>/cancel", episodes.CancelView.as_view(), name="api-episode-cancel"),
    path("episodes/<int:episode_id>/notifications", notifications.EpisodeNotificationsView.as_view(),
         name="api-episode-notifications"),
    path("episodes/<int:episode_id>/actions", followup.ActionView.as_view(), name="api-episode-actions"),
    path("episodes/<int:episode_id>/strategy-meetings", followup.StrategyMeetingView.as_view(),
         name="api-episode-strategy-meetings"),
    path("episodes/<int:episode_id>/close", followup.CloseView.as_view(), name="api-episode-close"),
    path("episodes/<int:episode_id>/rhi/allocation", rhi.AllocationView.as_view(), name="api-rhi-allocation"),
    path("episodes/<int:episode_id>/rhi/offer", rhi.OfferView.as_view(), name="api-rhi-offer"),
    path("episodes/<int:episode_id>/rhi/interview", rhi.InterviewView.as_view(), name="api-rhi-interview"),
    path("episodes/<int:episode_id>/rhi/authorisation", rhi.AuthorisationView.as_view(),
         name="api-rhi-authorisation"),
    path("episodes/<int:episode_id>/rhi/sharing", rhi.SharingView.as_view(), name="api-rhi-sharing"),
    path("episodes/<int:episode_id>/obligations", obligations.EpisodeObligationsView.as_view(),
         name="api-episode-obligations"),
    path("worklist", obligations.WorklistView.as_view(), name="api-worklist"),
    path("codes/<slug:list_name>", codes.CodesView.as_view(), name="api-codes"),
    path("audit", audit.AuditView.as_view(), name="api-audit"),
    path("children/<int:child_id>/access-log", audit.ChildAccessLogView.as_view(), name="api-child-access-log"),
]
