from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("perioder/", views.make, name="make_periods"),
    path("period/<int:pk>/oppna/", views.period_open, name="period_open"),
    path("period/<int:pk>/stang/", views.period_close, name="period_close"),
    path("period/<int:pk>/las/", views.period_lock, name="period_lock"),
]
