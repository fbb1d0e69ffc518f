from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import children, episodes

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
]
