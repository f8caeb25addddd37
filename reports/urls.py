from django.urls import path

from reports import views, writing_views

app_name = "reports"
urlpatterns = [
    path("rapporter/", views.index, name="index"),
    path("rapporter/<int:pk>/", views.detail, name="detail"),
    path("rapporter/<int:pk>/status/", views.status, name="status"),
    path("rapporter/<int:pk>/pdf/", views.download, name="download"),
    path("rapporter/<int:pk>/anta/", views.adopt, name="adopt"),
    path("oppen/", views.public, name="public"),
]

urlpatterns += [
    path("rapporter/texter/", writing_views.mine, name="my_texts"),
    path("rapporter/texter/<int:pk>/", writing_views.text, name="text"),
    path("rapporter/perioder/<int:pk>/texter/", writing_views.setup, name="texts_setup"),
    path("rapporter/<int:pk>/word/", views.download_docx, name="download_docx"),
    path("rapporter/wordmall/", writing_views.word_template, name="word_template"),
]
