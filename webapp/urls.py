from django.contrib import admin
from django.urls import include, path

from ideation import experiment_views as experiments
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
    path("ideas/<int:idea_id>/specs", experiments.spec_draft, name="experiment-spec-draft"),
    path(
        "ideas/batches/<int:batch_id>/specs.zip",
        experiments.batch_specs_zip,
        name="experiment-batch-zip",
    ),
    path("experiments/", experiments.experiments_page, name="experiments"),
    path("experiments/specs/<int:spec_id>/", experiments.spec_page, name="experiment-spec"),
    path(
        "experiments/specs/<int:spec_id>/export.<str:fmt>",
        experiments.spec_export,
        name="experiment-spec-export",
    ),
    path(
        "experiments/specs/<int:spec_id>/dispatch",
        experiments.spec_dispatch,
        name="experiment-spec-dispatch",
    ),
    path("experiments/runs/<int:run_id>/", experiments.run_page, name="experiment-run"),
    path("experiments/runs/<int:run_id>/cancel", experiments.run_cancel, name="experiment-cancel"),
    path(
        "experiments/runs/<int:run_id>/writeup/",
        experiments.run_writeup,
        name="experiment-writeup",
    ),
    path(
        "experiments/runs/<int:run_id>/writeup/<path:name>",
        experiments.run_file,
        name="experiment-file",
    ),
    path(
        "experiments/runs/<int:run_id>/results.zip",
        experiments.run_results_zip,
        name="experiment-results-zip",
    ),
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
