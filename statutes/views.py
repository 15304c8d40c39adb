"""Pages of the statute library: the list of laws, a law, a provision."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from . import selectors
from .models import Law, Level, Provision
from .text import one_line

TITLE_QUERY_MAX_LENGTH = 100


class LawListView(TemplateView):
    template_name = "statutes/law_list.html"

    def get_context_data(self, **kwargs):
        # As a title is stored: a control character pasted with the words (\x0b, \x1f) is no part of them.
        typed = one_line(self.request.GET.get("q", ""))
        query = typed[:TITLE_QUERY_MAX_LENGTH].strip()
        level = self.request.GET.get("level", "")
        if level not in Level.values:
            level = ""
        include_superseded = self.request.GET.get("versions") == "all"
        groups = selectors.law_list(query=query, level=level, include_superseded=include_superseded)
        return super().get_context_data(
            groups=groups,
            law_count=sum(len(group.laws) for group in groups),
            query=query,
            query_cut=len(typed) > TITLE_QUERY_MAX_LENGTH,
            max_length=TITLE_QUERY_MAX_LENGTH,
            level=level,
            levels=Level.choices,
            include_superseded=include_superseded,
            **kwargs,
        )


class LawDetailView(DetailView):
    model = Law
    template_name = "statutes/law_detail.html"
    context_object_name = "law"
    pk_url_kwarg = "law_id"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outline=selectors.law_outline(self.object),
            versions=selectors.law_versions(self.object),
            **kwargs,
        )


class ProvisionDetailView(DetailView):
    template_name = "statutes/provision_detail.html"
    context_object_name = "provision"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Provision.objects.select_related("law"), law_id=self.kwargs["law_id"], key=self.kwargs["key"]
        )

    def get_context_data(self, **kwargs):
        previous, following = selectors.provision_with_neighbours(self.object)
        return super().get_context_data(
            law=self.object.law,
            previous=previous,
            following=following,
            **kwargs,
        )
