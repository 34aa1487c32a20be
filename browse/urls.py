from django.urls import path

from browse import api, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search_page, name="search"),
    path("graph/", views.graph_page, name="graph"),
    path("concepts/<str:key>/", views.concept_page, name="concept"),
    path("papers/<path:paper_id>/", views.paper_page, name="paper"),
    path("fields/", views.fields_page, name="fields"),
    path("api/stats", api.stats, name="api-stats"),
    path("api/search", api.search, name="api-search"),
    path("api/concepts/<str:key>", api.concept, name="api-concept"),
    path("api/concepts/<str:key>/neighborhood", api.neighbourhood, name="api-neighbourhood"),
    path("api/concepts/<str:key>/path", api.path, name="api-path"),
    path("api/fields", api.fields, name="api-fields"),
    path("api/fields/bridges", api.field_bridges, name="api-field-bridges"),
    path("api/openapi.yaml", api.openapi, name="api-openapi"),
]
