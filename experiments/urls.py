from django.urls import path

from experiments import views

urlpatterns = [
    path("ideas/<int:idea_id>/specs", views.spec_draft, name="experiment-spec-draft"),
    path(
        "ideas/batches/<int:batch_id>/specs.zip", views.batch_specs_zip, name="experiment-batch-zip"
    ),
    path("experiments/", views.experiments_page, name="experiments"),
    path("experiments/specs/<int:spec_id>/", views.spec_page, name="experiment-spec"),
    path(
        "experiments/specs/<int:spec_id>/export.<str:fmt>",
        views.spec_export,
        name="experiment-spec-export",
    ),
    path(
        "experiments/specs/<int:spec_id>/dispatch",
        views.spec_dispatch,
        name="experiment-spec-dispatch",
    ),
    path(
        "experiments/specs/<int:spec_id>/campaign",
        views.spec_campaign,
        name="experiment-spec-campaign",
    ),
    path(
        "experiments/campaigns/<int:campaign_id>/", views.campaign_page, name="experiment-campaign"
    ),
    path("experiments/runs/<int:run_id>/", views.run_page, name="experiment-run"),
    path("experiments/runs/<int:run_id>/cancel", views.run_cancel, name="experiment-cancel"),
    path("experiments/runs/<int:run_id>/writeup/", views.run_writeup, name="experiment-writeup"),
    path(
        "experiments/runs/<int:run_id>/writeup/<path:name>",
        views.run_file,
        name="experiment-file",
    ),
    path(
        "experiments/runs/<int:run_id>/results.zip",
        views.run_results_zip,
        name="experiment-results-zip",
    ),
]
