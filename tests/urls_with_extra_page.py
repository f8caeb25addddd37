"""The project's URLs plus one page the permission matrix does not know (tests only)."""

from django.http import HttpResponse
from django.urls import path

from styrning.urls import urlpatterns as project_patterns

urlpatterns = [
    *project_patterns,
    path("oklistad/", lambda request: HttpResponse("x"), name="unlisted-page"),
]
