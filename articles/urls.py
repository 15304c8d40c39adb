from django.urls import path

import statutes.converters  # noqa: F401 - registers <id:>

from . import views

app_name = "articles"
urlpatterns = [
    path("articles/<id:pk>/", views.ArticleDetailView.as_view(), name="detail"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("authors/<id:pk>/", views.AuthorView.as_view(), name="author"),
]
