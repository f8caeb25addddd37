from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from styrning import views


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("favicon.ico", favicon, name="favicon"),
    path("mal/", include("goals.urls")),
    path("budget/", include("budget.urls")),
    path("uppfoljning/personal/", include("followup.personnel_urls")),
    path("", include("followup.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
