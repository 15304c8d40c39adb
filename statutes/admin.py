"""Admin for the statute library. The library is imported, so most of it is read-only here.

Also, here in the bottom layer for every app's admin to use: CheckedInputMixin, which checks what
Django's admin takes from the request unchecked.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms.fields import InvalidJSONInput
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .citations import parse_citation_search
from .models import Law, LibraryImport, Provision, ProvisionChange
from .text import clean_text, heading_line, one_line

MAX_ALIASES = 50
MAX_ALIAS_LENGTH = 200  # as long as a title may be


def is_key(field, value) -> bool:
    """Whether a value from a request can be looked up in this key column: of its type and range.

    Django's admin passes some values to the database unchecked: a word is a ValueError, and a
    number past 64 bits an OverflowError on SQLite, each a 500.
    """
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return value not in field.empty_values


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """The autocomplete box, shown again after a refused save with what was posted: a value that is
    no key of its model shows as nothing chosen (the field's own message says why) instead of being
    looked up."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [choice for choice in value if is_key(target, choice)], attr)


class CheckedInputMixin:
    """For a ModelAdmin or an inline: what Django's admin takes from the request unchecked, checked.

    - an autocomplete box posted with a value that is no key: the form again, with the field's message;
    - a date filter with a year past any calendar (?promulgated_on__year=99…9, an OverflowError):
      the whole list, with a message, as Django answers a year that is not a number;
    - an action on rows that are no keys (_selected_action=abc): nothing done, with a message.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (IncorrectLookupParameters, OverflowError) as error:
            self.message_user(request, "筛选条件无效（如年份超出范围），已显示全部。", messages.WARNING)
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_key(self.model._meta.pk, value) for value in selected):
            self.message_user(
                request, "所选条目无效，没有执行任何操作。请刷新页面后重新选择。", messages.WARNING
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class AliasesField(forms.JSONField):
    """别名: a JSON list of the other names a law is cited by, each on one line without control
    characters. Anything else is refused with a message: NaN and Infinity, lone surrogates (which
    PostgreSQL's and SQLite's JSON refuse), nesting deeper than Python parses, over-long names."""

    def to_python(self, value):
        try:
            aliases = super().to_python(value)
        except RecursionError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if aliases is None:
            return []
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            raise ValidationError('别名须是名称的列表，如 ["民法典", "民法"]。', code="invalid")
        aliases = [alias for alias in map(one_line, aliases) if alias]
        if not all(map(_encodable, aliases)):
            raise ValidationError("别名含有无法保存的字符。", code="invalid")
        if len(aliases) > MAX_ALIASES:
            raise ValidationError(
                "最多 %(limit)d 个别名。", code="max_aliases", params={"limit": MAX_ALIASES}
            )
        if any(len(alias) > MAX_ALIAS_LENGTH for alias in aliases):
            raise ValidationError(
                "每个别名最多 %(limit)d 个字。", code="max_length", params={"limit": MAX_ALIAS_LENGTH}
            )
        return aliases

    def bound_data(self, data, initial):
        # The form shown again shows the text as posted: parsed, it may not even be printable.
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        return InvalidJSONInput(data)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a JSON escape
        return False
    return True


def clean_text_fields(cleaned_data: dict, *, one_line_fields=(), heading_fields=(), text_fields=()) -> dict:
    """The form's text as the importer stores it (statutes.text): no control characters; names on one line."""
    for name in one_line_fields:
        if isinstance(cleaned_data.get(name), str):
            cleaned_data[name] = one_line(cleaned_data[name])
    for name in heading_fields:
        if isinstance(cleaned_data.get(name), str):
            cleaned_data[name] = heading_line(cleaned_data[name])
    for name in text_fields:
        if isinstance(cleaned_data.get(name), str):
            cleaned_data[name] = clean_text(cleaned_data[name])
    return cleaned_data


class LawAdminForm(forms.ModelForm):
    aliases = AliasesField(label="别名", required=False, help_text='JSON 列表，如 ["民法典", "民法"]。')

    class Meta:
        model = Law
        fields = [
            "title", "short_title", "aliases", "level", "category", "status", "is_current",
            "promulgated_on", "effective_on", "history", "preamble", "annex", "notes", "source",
        ]  # fmt: skip

    def clean(self):
        return clean_text_fields(
            super().clean(),
            one_line_fields=("title", "short_title", "category", "source"),
            text_fields=("history", "preamble", "annex", "notes"),
        )


class ProvisionAdminForm(forms.ModelForm):
    class Meta:
        model = Provision
        fields = [
            "law", "number", "suffix", "text", "part", "subpart", "chapter", "section", "order", "is_repealed",
        ]  # fmt: skip

    def clean(self):
        return clean_text_fields(
            super().clean(), heading_fields=("part", "subpart", "chapter", "section"), text_fields=("text",)
        )


@admin.register(Law)
class LawAdmin(CheckedInputMixin, admin.ModelAdmin):
    form = LawAdminForm
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
class ProvisionAdmin(CheckedInputMixin, admin.ModelAdmin):
    form = ProvisionAdminForm
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


@admin.register(LibraryImport)
class LibraryImportAdmin(CheckedInputMixin, admin.ModelAdmin):
    """Each run of import_statutes with its report: read only (the importer writes them)."""

    list_display = ["started_at", "source", "outcome", "law_counts", "provision_counts", "finished"]
    list_display_links = ["started_at", "source"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="结果")
    def outcome(self, record):
        if record.finished_at is None:
            return format_html('<span class="kb-state kb-state--draft">{}</span>', "中途停止")
        return "有更新" if record.changed else "没有变化"

    @admin.display(description="法律")
    def law_counts(self, record):
        summary = record.summary
        return (
            f"新法 {summary.get('laws_added', 0)}，新版本 {summary.get('versions_added', 0)}，"
            f"修改 {summary.get('laws_amended', 0)}，废止 {summary.get('laws_repealed', 0)}"
        )

    @admin.display(description="条文")
    def provision_counts(self, record):
        summary = record.summary
        return (
            f"新增 {summary.get('provisions_added', 0)}，修改 {summary.get('provisions_changed', 0)}，"
            f"删除 {summary.get('provisions_removed', 0)}，条号变动 {summary.get('provisions_renumbered', 0)}"
        )

    @admin.display(description="完成时间", ordering="finished_at")
    def finished(self, record):
        return record.finished_at

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if record is None or not self.has_view_permission(request, record):
            return super().change_view(request, object_id, form_url, extra_context)
        law_changes = record.law_changes.select_related("law", "previous").prefetch_related(
            Prefetch("provision_changes", queryset=ProvisionChange.objects.order_by("pk"))
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(record),
            "record": record,
            "law_changes": law_changes,
            "counts": [self.law_counts(record), self.provision_counts(record)],
        }
        return TemplateResponse(request, "admin/statutes/libraryimport/report.html", context)
