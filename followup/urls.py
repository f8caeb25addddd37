"""The follow-up's URLs: the årshjul (/arshjul/) and the submissions (/uppfoljning/).

Included once at "" in styrning.urls under the namespace "followup".
"""

from django.urls import path

from followup import fulfilment_views, rollup_views, views

app_name = "followup"
urlpatterns = [
    path("arshjul/", views.calendar, name="calendar"),
    path("arshjul/perioder/", views.make, name="make_periods"),
    path("arshjul/period/<int:pk>/oppna/", views.period_open, name="period_open"),
    path("arshjul/period/<int:pk>/stang/", views.period_close, name="period_close"),
    path("arshjul/period/<int:pk>/las/", views.period_lock, name="period_lock"),
    path("uppfoljning/", views.mine, name="mine"),
    path("uppfoljning/maluppfyllelse/", fulfilment_views.overview, name="fulfilment"),
    path("uppfoljning/maluppfyllelse/<int:pk>/", fulfilment_views.goal, name="fulfilment_goal"),
    path("uppfoljning/halvtid/", fulfilment_views.midterm, name="midterm"),
    path("uppfoljning/<int:pk>/", views.submission, name="submission"),
    path("uppfoljning/<int:pk>/aterskicka/", views.submission_return, name="submission_return"),
    path("uppfoljning/<int:pk>/godkann/", views.submission_approve, name="submission_approve"),
    path("uppfoljning/<int:pk>/underlag/", views.evidence_upload, name="evidence_upload"),
    path("uppfoljning/underlag/<int:pk>/", views.evidence, name="evidence"),
    path(
        "uppfoljning/underlag/<int:pk>/ta-bort/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("uppfoljning/bedomning/<int:goal_pk>/", rollup_views.assessment, name="rollup"),
]
