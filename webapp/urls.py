from django.contrib import admin
from django.urls import path

from ingest import views as ingest_views
from webapp import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ingest/", ingest_views.ingest_page, name="ingest"),
    path("ingest/jobs/<int:job_id>/", ingest_views.ingest_job_detail, name="ingest-job"),
    path("api/stats", views.stats_api, name="api-stats"),
    path("admin/", admin.site.urls),
]
