"""The site's URLs and one page only the benchmark requests: the empty page.

The empty page is the base layout with nothing in it, behind the login: what every
page costs before it does anything of its own (session, user, scope, layout, the base
template, the middleware). ``bench.measure`` sets ROOT_URLCONF to this module while it
measures, so the site itself never has the page.
"""

from django.contrib.auth.decorators import login_required
from django.template import engines
from django.urls import path

from styrning.urls import urlpatterns as site_urlpatterns

EMPTY_PAGE = '{% extends "base.html" %}'


@login_required
def empty(request):
    from django.http import HttpResponse

    template = engines["django"].from_string(EMPTY_PAGE)
    return HttpResponse(template.render({}, request))


urlpatterns = [path("__bench__/tom/", empty, name="bench_empty"), *site_urlpatterns]
