from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("homeward.common.urls")),
    path("api/v1/", include("homeward.api.v1.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("homeward.web.urls")),
]
