from django.urls import path

from ingest import views

urlpatterns = [
    path("", views.ingest_page, name="ingest"),
    path("jobs/<int:job_id>/", views.ingest_job_detail, name="ingest-job"),
]
