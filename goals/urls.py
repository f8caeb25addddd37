from django.urls import path

from goals import views

app_name = "goals"
urlpatterns = [
    path("", views.goal_tree, name="tree"),
    path("<int:pk>/", views.goal_detail, name="detail"),
    path("<int:pk>/under/", views.goal_children, name="children"),
    path("<int:parent_pk>/nytt/", views.goal_create, name="create"),
    path("<int:pk>/andra/", views.goal_edit, name="edit"),
    path("<int:pk>/besluta/", views.goal_decide, name="decide"),
    path("<int:goal_pk>/indikatorer/ny/", views.indicator_create, name="indicator_create"),
    path("indikatorer/<int:pk>/andra/", views.indicator_edit, name="indicator_edit"),
    path("uppdrag/", views.assignment_list, name="assignments"),
    path("uppdrag/<int:pk>/", views.assignment_detail, name="assignment"),
]
