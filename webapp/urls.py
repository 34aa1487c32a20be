from django.contrib import admin
from django.urls import include, path

from ideation import views as ideation_views
from ingest import views as ingest_views
from webapp import api, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search_page, name="search"),
    path("graph/", views.graph_page, name="graph"),
    path("concepts/<str:key>/", views.concept_page, name="concept"),
    path("papers/<path:paper_id>/", views.paper_page, name="paper"),
    path("fields/", views.fields_page, name="fields"),
    path("ingest/", ingest_views.ingest_page, name="ingest"),
    path("ingest/jobs/<int:job_id>/", ingest_views.ingest_job_detail, name="ingest-job"),
    path("ideas/", ideation_views.ideas_page, name="ideation-new"),
    path("ideas/batches/<int:batch_id>/", ideation_views.batch_page, name="ideation-batch"),
    path("ideas/<int:idea_id>/", ideation_views.idea_page, name="ideation-idea"),
    path("ideas/<int:idea_id>/feedback", ideation_views.idea_feedback, name="ideation-feedback"),
    path("api/stats", api.stats, name="api-stats"),
    path("api/search", api.search, name="api-search"),
    path("api/concepts/<str:key>", api.concept, name="api-concept"),
    path("api/concepts/<str:key>/neighborhood", api.neighbourhood, name="api-neighbourhood"),
    path("api/concepts/<str:key>/path", api.path, name="api-path"),
    path("api/fields", api.fields, name="api-fields"),
    path("api/fields/bridges", api.field_bridges, name="api-field-bridges"),
    path("api/openapi.yaml", api.openapi, name="api-openapi"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
