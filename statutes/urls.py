from django.urls import path, register_converter

import kb.converters  # noqa: F401 - registers <id:>

from . import views


class ProvisionKeyConverter:
    """ "1032", "253-1": the key a provision has in its law's URLs."""

    regex = r"[1-9][0-9]{0,3}(?:-[1-9][0-9]?)?"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ProvisionKeyConverter, "provision_key")

app_name = "statutes"
urlpatterns = [
    path("", views.LawListView.as_view(), name="law_list"),
    path("<id:law_id>/", views.LawDetailView.as_view(), name="law_detail"),
    path("<id:law_id>/<provision_key:key>/", views.ProvisionDetailView.as_view(), name="provision_detail"),
]
