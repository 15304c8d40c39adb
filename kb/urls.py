"""Root URLs: the reading site, the statute library and the admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="statutes:law_list", permanent=False), name="home"),
    path("statutes/", include("statutes.urls")),
    path("admin/", admin.site.urls),
]
