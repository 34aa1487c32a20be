from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("browse.urls")),
    path("ingest/", include("ingest.urls")),
    path("ideas/", include("ideation.urls")),
    path("", include("experiments.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
