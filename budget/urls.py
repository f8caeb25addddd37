from django.urls import path

from budget import import_views, views

app_name = "budget"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("enhet/<int:pk>/", views.unit, name="unit"),
    path("ramar/", views.frames, name="frames"),
    path("ramar/nytt-ar/", views.year_create, name="year_create"),
    path("<int:year>/besluta/", views.adopt, name="adopt"),
    path("<int:year>/andringar/ny/", views.change_create, name="change_create"),
    path("<int:year>/prognos/<int:unit_pk>/", views.forecast, name="forecast"),
    path("<int:year>/detaljbudget/<int:unit_pk>/", views.detail_budget, name="detail_budget"),
    path("import/", import_views.imports, name="imports"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("export.<str:fmt>", views.export, name="export"),
    path("investeringar/", views.investments, name="investments"),
    path("<int:year>/investeringar/ny/", views.investment_form, name="investment_create"),
    path("<int:year>/investeringar/<int:pk>/", views.investment_form, name="investment_edit"),
    path(
        "<int:year>/andringar/<int:pk>/reversera/",
        views.change_reverse,
        name="change_reverse",
    ),
    path("historik/", views.history, name="history"),
]
