"""Pages of the statute library: the list of laws, a law, a provision."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from . import selectors
from .changes import KIND_LABELS
from .diff import diff_html
from .models import Law, Level, Provision, date_rank
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
            versions=selectors.provision_versions(self.object),
            **kwargs,
        )


def other_version(law: Law, other_law_id: int) -> Law:
    """Another version of the same law (a 404 for any other law, or the same version)."""
    if other_law_id == law.pk:
        raise Http404("同一个版本无需对照")
    return get_object_or_404(Law, pk=other_law_id, title=law.title)


def older_first(one: Law, other: Law) -> tuple[Law, Law]:
    return tuple(sorted((one, other), key=lambda law: date_rank(law.promulgated_on)))


class ProvisionCompareView(TemplateView):
    """修订对照 of one provision: its text in two versions of its law, word by word."""

    template_name = "statutes/provision_compare.html"

    def get_context_data(self, **kwargs):
        provision = get_object_or_404(
            Provision.objects.select_related("law"), law_id=self.kwargs["law_id"], key=self.kwargs["key"]
        )
        other = other_version(provision.law, self.kwargs["other_law_id"])
        versions = selectors.provision_versions(provision)
        counterpart = next(version.provision for version in versions if version.law.pk == other.pk)
        older, newer = older_first(provision.law, other)
        texts = {provision.law.pk: provision, other.pk: counterpart}
        old, new = texts[older.pk], texts[newer.pk]
        return super().get_context_data(
            provision=provision,
            older=older,
            newer=newer,
            old=old,
            new=new,
            diff=diff_html(old.text, new.text) if old and new else None,
            versions=versions,
            **kwargs,
        )


class LawCompareView(TemplateView):
    """修订对照 of a whole law: every provision added, changed, removed or renumbered between two versions."""

    template_name = "statutes/law_compare.html"

    def get_context_data(self, **kwargs):
        law = get_object_or_404(Law, pk=self.kwargs["law_id"])
        older, newer = older_first(law, other_version(law, self.kwargs["other_law_id"]))
        comparison = selectors.compare_laws(older, newer)
        rows = [
            {
                "change": change,
                "kind": KIND_LABELS[change.kind],
                "diff": diff_html(change.old.text, change.new.text) if change.text_changed else None,
            }
            for change in comparison.changes
        ]
        return super().get_context_data(law=law, comparison=comparison, rows=rows, **kwargs)
