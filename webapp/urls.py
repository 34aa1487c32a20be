from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

urlpatterns = [
    path("", include("browse.urls")),
    path("ingest/", include("ingest.urls")),
    path("ideas/", include("ideation.urls")),
    path("", include("experiments.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links to; answer instead of a 404.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
