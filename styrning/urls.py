from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from styrning import views

urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("mal/", include("goals.urls")),
    path("budget/", include("budget.urls")),
    path("admin/", admin.site.urls),
]
