from django.urls import path

from ideation import views

urlpatterns = [
    path("", views.ideas_page, name="ideation-new"),
    path("batches/<int:batch_id>/", views.batch_page, name="ideation-batch"),
    path("<int:idea_id>/", views.idea_page, name="ideation-idea"),
    path("<int:idea_id>/feedback", views.idea_feedback, name="ideation-feedback"),
    path("<int:idea_id>/novelty/live", views.idea_novelty_live, name="ideation-novelty-live"),
]
