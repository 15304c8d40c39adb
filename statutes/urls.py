from django.urls import path

from . import (
    converters,  # noqa: F401 - registers <id:> and <provision_key:>
    views,
)

app_name = "statutes"
urlpatterns = [
    path("", views.LawListView.as_view(), name="law_list"),
    path("<id:law_id>/", views.LawDetailView.as_view(), name="law_detail"),
    path("<id:law_id>/<provision_key:key>/", views.ProvisionDetailView.as_view(), name="provision_detail"),
    path("<id:law_id>/compare/<id:other_law_id>/", views.LawCompareView.as_view(), name="law_compare"),
    path(
        "<id:law_id>/<provision_key:key>/compare/<id:other_law_id>/",
        views.ProvisionCompareView.as_view(),
        name="provision_compare",
    ),
]
