from django.urls import path

from followup import personnel_views as views

app_name = "personnel"
urlpatterns = [
    path("", views.index, name="index"),
    path("period/<int:pk>/", views.period, name="period"),
    path("period/<int:pk>/personalberattelse/", views.report, name="report"),
    path("import/", views.figures_import, name="import"),
    path("indikatorvarden/", views.indicator_import, name="indicator_import"),
]
