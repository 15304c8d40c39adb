from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="detail"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("authors/<int:pk>/", views.AuthorView.as_view(), name="author"),
]
