"""Admin for the statute library. The library is imported, so most of it is read-only here."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .citations import parse_citation_search
from .models import Law, Provision


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "level",
        "status",
        "is_current",
        "promulgated_on",
        "effective_on",
        "provision_count",
    ]
    list_filter = ["level", "status", "is_current", "category"]
    search_fields = ["title", "short_title"]
    date_hierarchy = "promulgated_on"
    readonly_fields = ["provisions_list"]
    fieldsets = [
        (None, {"fields": ["title", "short_title", "aliases", "level", "category"]}),
        ("时效", {"fields": ["status", "is_current", "promulgated_on", "effective_on", "history"]}),
        ("条文以外的内容", {"classes": ["collapse"], "fields": ["preamble", "annex", "notes", "source"]}),
        ("条文", {"fields": ["provisions_list"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(provision_count=Count("provisions"))

    @admin.display(description="条数", ordering="provision_count")
    def provision_count(self, law):
        return law.provision_count

    @admin.display(description="条文")
    def provisions_list(self, law):
        if not law.pk:
            return "—"
        rows = law.provisions.order_by("order").values_list("pk", "label", "text", "is_repealed")
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> {}{}</li>',
            (
                (
                    reverse("admin:statutes_provision_change", args=[pk]),
                    label,
                    Truncator(text.replace("\n", " ")).chars(60),
                    "（已删去）" if is_repealed else "",
                )
                for pk, label, text, is_repealed in rows
            ),
        )
        return format_html('<ol class="kb-provision-list" style="margin:0;padding-left:1.5em">{}</ol>', items)


@admin.register(Provision)
class ProvisionAdmin(admin.ModelAdmin):
    list_display = ["label", "law", "chapter", "excerpt", "is_repealed"]
    list_filter = ["is_repealed", "law__level", "law__is_current"]
    list_select_related = ["law"]
    search_fields = ["law__title", "law__short_title", "label", "text"]
    readonly_fields = ["label", "key"]
    autocomplete_fields = ["law"]
    fields = [
        "law",
        ("number", "suffix"),
        ("label", "key"),
        "text",
        ("part", "subpart"),
        ("chapter", "section"),
        "order",
        "is_repealed",
    ]
    show_full_result_count = False

    def get_queryset(self, request):
        # Each row and each autocomplete answer names its law.
        return super().get_queryset(request).select_related("law")

    @admin.display(description="条文")
    def excerpt(self, provision):
        return Truncator(provision.text.replace("\n", " ")).chars(50)

    def get_search_results(self, request, queryset, search_term):
        """A citation such as "民法典 1032" or "刑法第二百五十三条之一" finds that provision.

        Editors pick provisions by citation in the article form's autocomplete, so the
        common way of writing one must find it first; other words search as usual.
        """
        citation = parse_citation_search(search_term)
        if citation:
            law_words, number, suffix = citation
            matches = queryset.filter(number=number, suffix=suffix)
            if law_words:
                matches = matches.filter(law__short_title__icontains=law_words) | matches.filter(
                    law__title__icontains=law_words
                )
            matches = matches.order_by("-law__is_current", "law__short_title")
            if matches.exists():
                return matches, False
        return super().get_search_results(request, queryset, search_term)
