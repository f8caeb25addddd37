from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("rapporter/", views.index, name="index"),
    path("rapporter/<int:pk>/", views.detail, name="detail"),
    path("rapporter/<int:pk>/status/", views.status, name="status"),
    path("rapporter/<int:pk>/pdf/", views.download, name="download"),
    path("rapporter/<int:pk>/anta/", views.adopt, name="adopt"),
    path("oppen/", views.public, name="public"),
]
