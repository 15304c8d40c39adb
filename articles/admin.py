"""Admin for editors: articles with their citations, categories and authors."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

import statutes.converters  # noqa: F401 - registers <id:>
from statutes.admin import CheckedInputMixin
from statutes.models import Law

from . import alerts, editor, revisions, services
from .admin_alerts import CitationAlertAdminMixin, CitationAlertFilter
from .models import Article, Author, Category, Citation, ImportCheck
from .references import is_misquote, reference_verdict


class CitesOutdatedLawFilter(admin.SimpleListFilter):
    title = "引用的法规"
    parameter_name = "cited_law"

    def lookups(self, request, model_admin):
        return [("outdated", "引用了已修改或已废止的法规"), ("problems", "引用无法识别或引文不符")]

    def queryset(self, request, queryset):
        if self.value() == "outdated":
            outdated = Citation.objects.filter(provision__law__in=Law.objects.not_in_force())
            return queryset.filter(pk__in=outdated.values("article_id"))
        if self.value() == "problems":
            flagged = [
                article.pk
                for article in queryset.only("pk", "reference_report")
                if any(not entry["resolved"] or is_misquote(entry) for entry in article.reference_report)
            ]
            return queryset.filter(pk__in=flagged)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """Refuses to overwrite an article that someone else saved after this form was opened, and to
    publish one whose references the library does not confirm unless the editor insists, with a reason."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    publish_anyway = forms.BooleanField(
        label="仍然发布", required=False, help_text="引用检查发现问题时，勾选并写明理由才能发布。"
    )
    publish_reason = forms.CharField(label="理由", required=False, max_length=200)
    # Explicit scheme: Django 6 changes the default from http to https.
    source_url = forms.URLField(label="来源网址", required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = [
            "title", "category", "author", "body", "summary", "status", "published_at",
            "origin", "source_name", "source_url",
        ]  # fmt: skip

    # The posted text rendered before the admin's transaction opened (ArticleAdmin.get_form).
    rendered_beforehand: Article | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.publication_problems: list[str] = []
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.updated_at.isoformat()

    def clean_published_at(self):
        """The time as the form shows it (to the minute in 中文 formats) means the stored time: an edit
        that leaves it alone keeps its seconds, and the revision shows no change of time."""
        value = self.cleaned_data.get("published_at")
        stored = self.instance.published_at if self.instance.pk else None
        if value and stored and value == stored.replace(second=0, microsecond=0):
            return stored
        if value and stored and value == stored.replace(microsecond=0):
            return stored
        return value

    def current_version(self):
        """The stored article's version, its row locked until the admin's transaction ends.

        The admin validates and saves in one transaction: a second editor posting at the same
        moment waits here until the first save commits, then sees its new version and is refused.
        Without the lock both would read the old version and both be "saved" (PostgreSQL; SQLite
        serializes write transactions anyway).
        """
        articles = Article.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            articles = articles.select_for_update()
        return articles.values_list("updated_at", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded:
            stored = self.current_version()
            if stored is not None and stored.isoformat() != loaded:
                raise forms.ValidationError(
                    "保存前，这篇文章已被其他人修改（%(when)s）。为免覆盖对方的修改，本次没有保存："
                    "请复制您的改动，重新打开本页后再合并保存。",
                    params={"when": timezone.localtime(stored).strftime("%Y-%m-%d %H:%M:%S")},
                    code="stale",
                )
        if cleaned.get("origin") == Article.Origin.REPRINT and not cleaned.get("source_name"):
            self.add_error("source_name", "转载的文章须注明来源。")
        return cleaned

    def _post_clean(self):
        # The instance now holds what the form would save, cleaned as the write path cleans it,
        # with the rendering made before the admin's transaction: the one publishing rule judges it.
        super()._post_clean()
        if self.errors or "body" not in self.cleaned_data:
            return
        services.clean_fields(self.instance)
        self.instance.take_rendering(self.rendered_beforehand)
        stored = Article.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            self.publication_problems = services.publication_problems(self.instance, stored=stored)
        except ValidationError:
            return  # the body's own error says so
        if not self.publication_problems:
            return
        if self.cleaned_data.get("publish_anyway") and self.reason_to_publish:
            return
        if self.cleaned_data.get("publish_anyway"):
            self.add_error("publish_reason", "仍然发布，请写明理由（会记入修订历史）。")
        else:
            self.add_error(
                None,
                forms.ValidationError(
                    "正文的法条引用有问题，没有发布：%(problems)s。请改正后再发布；确需照此发布，请勾选“仍然发布”并写明理由。",
                    params={"problems": "；".join(self.publication_problems)},
                    code="reference_problems",
                ),
            )

    @property
    def reason_to_publish(self) -> str:
        """The editor's reason to publish despite the reference check ("" unless 仍然发布 is ticked)."""
        if not self.cleaned_data.get("publish_anyway"):
            return ""
        return self.cleaned_data.get("publish_reason", "").strip()

    def editor_citations(self, formsets) -> list[int]:
        """The provisions the editor chose in the 相关法条 box, in their order: new rows, rows an
        editor added, rows whose provision was changed; the body's own rows are the body's."""
        chosen = []
        for formset in formsets:
            if formset.model is not Citation:
                continue
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None)
                if not data or data.get("DELETE") or data.get("provision") is None:
                    continue
                row = form.instance
                bodys_own = (
                    row.pk is not None
                    and row.added_by == Citation.AddedBy.FINDER
                    and "provision" not in form.changed_data
                )
                if not bodys_own:
                    chosen.append((data.get("order") or 0, len(chosen), data["provision"].pk))
        return [provision_id for _order, _place, provision_id in sorted(chosen)]


class CitationInline(CheckedInputMixin, admin.TabularInline):
    """The 相关法条 box: the provisions the body cites (kept in the body's order) and any an editor adds."""

    model = Citation
    autocomplete_fields = ["provision"]
    fields = ["provision", "order"]
    extra = 1
    verbose_name = "引用法条"
    verbose_name_plural = "相关法条（在法规库中搜索，如“民法典 1032”）"


@admin.register(Article)
class ArticleAdmin(CitationAlertAdminMixin, CheckedInputMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "category", "author", "state", "published_at", "view_count"]
    list_filter = ["status", "category", "author", "origin", CitationAlertFilter, CitesOutdatedLawFilter]
    list_select_related = ["category", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    readonly_fields = [
        "import_report",
        "reference_checks",
        "suggested_provisions",
        "citation_alerts",
        "view_count",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "category", "author", "body", "summary", "loaded_version"]}),
        (
            "发布",
            {
                "fields": [
                    "status",
                    "published_at",
                    ("publish_anyway", "publish_reason"),
                    "origin",
                    "source_name",
                    "source_url",
                ]
            },
        ),  # fmt: skip
        ("正文中的法条引用（上次保存时检查）", {"fields": ["reference_checks", "suggested_provisions"]}),
        ("统计", {"classes": ["collapse"], "fields": ["view_count", "created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/editor.css"]}
        js = ["js/editor.js"]

    @admin.display(description="状态", ordering="status")
    def state(self, article):
        """草稿, 已发布, or 定时 with its time: an article published for later is not yet for readers."""
        if article.status == Article.Status.DRAFT:
            return format_html('<span class="kb-state kb-state--{}">{}</span>', "draft", "草稿")
        if article.is_scheduled:
            when = timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M")
            return format_html('<span class="kb-state kb-state--scheduled">定时（{}）</span>', when)
        return format_html('<span class="kb-state kb-state--{}">{}</span>', "published", "已发布")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="articles_article_preview"),
            path("<id:object_id>/revisions/", wrap(self.revisions_view), name="articles_article_revisions"),
            path(
                "<id:object_id>/import-checks/<id:check_id>/apply/",
                wrap(self.apply_import_check_view),
                name="articles_article_apply_import_check",
            ),
            path(
                "<id:object_id>/revisions/<id:version_id>/restore/",
                wrap(self.restore_view),
                name="articles_article_restore",
            ),
            *self.alert_urls(),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.pk and ImportCheck.objects.filter(article=obj).exists():
            # An imported draft: what the import checked, first, where the editor starts.
            fieldsets = [
                ("导入检查（import_posts 导入时的引用检查）", {"fields": ["import_report"]}),
                *fieldsets,
            ]
        if obj is not None and alerts.open_alerts().filter(article=obj).exists():
            # A library update changed what it cites: first, before anything else is edited.
            return [("所引法条已修改", {"fields": ["citation_alerts"], "classes": ["kb-alerts"]}), *fieldsets]
        return fieldsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        may_save = self.has_add_permission(request) or self.has_change_permission(request)
        if request.method == "POST" and "body" in request.POST and may_save:
            # Django's admin validates and saves in one transaction, which on SQLite holds the whole
            # database for writing: the body is rendered and checked before it opens.
            request.article_rendered_beforehand = services.rendered_beforehand(
                body=request.POST["body"], summary=request.POST.get("summary", "")
            )
        # One revision per save: the article and the citation rows saved with it.
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # From the database: after a refused publication the form's instance says "published".
        context["readers_see_it"] = bool(
            obj is not None and obj.pk and Article.objects.published().filter(pk=obj.pk).exists()
        )
        # The import checks' one-click fixes: each a form of its own, outside the article's form.
        context["import_fixes"] = (
            list(ImportCheck.objects.filter(article=obj, applied_at=None, suggested__isnull=False))
            if obj is not None and obj.pk
            else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        """One history: the revisions, which say what each save changed and bring any one back
        (Django's log of admin actions knows less; its link leads here)."""
        if not str(object_id).isdigit() or len(str(object_id)) > 18:
            raise Http404("没有这篇文章。")
        return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[object_id]))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a class made for this request
        form.rendered_beforehand = getattr(request, "article_rendered_beforehand", None)
        return form

    def preview_view(self, request):
        """The live preview: the body as the page will show it, and each reference checked (JSON)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return JsonResponse(editor.preview(request.POST.get("body", ""), request.POST.get("title", "")))

    def revisions_view(self, request, object_id):
        """Every revision of the article: who saved what when; any two compared; any one restored."""
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = list(revisions.revisions_of(article))
        ticked = request.GET.getlist("compare")
        chosen = [version for version in versions if str(version.pk) in ticked]
        changes = None
        compare_needs = ""
        if len(chosen) == 2:
            newer, older = sorted(chosen, key=lambda version: version.revision.date_created, reverse=True)
            changes = (older, newer, revisions.compare(older, newer))
        elif "compare" in request.GET or request.GET.get("do") == "compare":
            compare_needs = f"比较需要勾选两个版本，现在勾选了 {len(chosen)} 个：" + (
                "请再勾选一个。" if len(chosen) < 2 else "请只留两个。"
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "versions": versions,
            "changes": changes,
            "compare_needs": compare_needs,
            "ticked": {str(version.pk) for version in chosen},
            "can_restore": self.has_change_permission(request, article),
            "title": f"修订历史：{article.title}",
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        version = revisions.revisions_of(article).filter(pk=version_id).first()
        if version is None:
            raise Http404("没有这个版本。")
        try:
            services.restore_article(
                article=article,
                version=version,
                user=request.user,
                override_reason=request.POST.get("publish_reason", "")[:200],
            )
        except services.PublishRefused as refused:
            self.message_user(
                request,
                "没有恢复：这篇文章已发布，而该版本正文的法条引用有问题："
                + "；".join(refused.problems)
                + "。请先撤回为草稿再恢复，或在“恢复”旁写明理由后仍然恢复（会记入修订历史）。",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[article.pk]))
        self.log_change(
            request, article, f"恢复到 {version.revision.date_created:%Y-%m-%d %H:%M:%S} 的版本。"
        )
        self.message_user(request, "已恢复该版本，并重新检查了正文中的法条引用。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def apply_import_check_view(self, request, object_id, check_id):
        """One click: the fix an import check suggests, made through articles.services (a new revision)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        check = (
            ImportCheck.objects.filter(article=article, pk=check_id).select_related("suggested__law").first()
        )
        if check is None:
            raise Http404("没有这一项导入检查。")
        change_page = reverse("admin:articles_article_change", args=[article.pk])
        if check.applied_at is not None:
            self.message_user(request, "这一项已经改正过了。", messages.INFO)
            return HttpResponseRedirect(change_page)
        try:
            services.apply_import_check(check=check, user=request.user)
        except services.FixOutdated as outdated:
            self.message_user(request, f"没有改动：{outdated}", messages.WARNING)
        except services.PublishRefused as refused:
            self.message_user(
                request,
                "没有改动：这篇文章已发布，改后正文的法条引用有问题：" + "；".join(refused.problems),
                messages.ERROR,
            )
        else:
            self.log_change(request, article, f"采纳导入检查的建议：{check.fix_label}")
            self.message_user(request, f"已{check.fix_label}，并记入修订历史。", messages.SUCCESS)
        return HttpResponseRedirect(change_page)

    @admin.display(description="导入检查")
    def import_report(self, article):
        """What import_posts found in the post: each reference, its verdict and the fix (made, or one
        click away); then the provisions the search's evidence suggests citing."""
        checks = list(article.import_checks.select_related("written__law", "suggested__law"))
        if not checks:
            return "—"

        def name(provision):
            return (
                f"{provision.law.short_title or provision.law.title} {provision.label}" if provision else "—"
            )

        def fix(check):
            if check.suggested is None:
                return format_html(
                    '<span class="kb-import-none">{}</span>',
                    "无需改动" if check.verdict.startswith("正确") else "—",
                )
            if check.applied_at is not None:
                when = (
                    "导入时已改正"
                    if check.source == ImportCheck.Source.QUOTE and check.kind == ImportCheck.Kind.STATUTES
                    else "已改正"
                )
                return format_html(
                    '<span class="kb-import-applied">{} → <a href="{}" target="_blank">{}</a>（{}）</span>',
                    name(check.written) if check.written else check.text,
                    check.suggested.get_absolute_url(),
                    name(check.suggested),
                    when,
                )
            return format_html(
                '<a href="{}" target="_blank">{}</a>（{}）'
                '<button type="submit" form="kb-import-fix-{}" class="button kb-import-fix">{}</button>',
                check.suggested.get_absolute_url(),
                name(check.suggested),
                check.get_source_display(),
                check.pk,
                check.fix_label,
            )

        rows = format_html_join(
            "",
            '<tr class="kb-import-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    check.kind,
                    check.get_kind_display(),
                    check.text or name(check.suggested),
                    check.verdict or "相似问答引用、条文用语相近",
                    fix(check),
                )
                for check in checks
            ),
        )
        return format_html(
            '<p class="help">导入文件：{}。引文逐字出自另一条的，导入时已改为引用那一条；其余建议点按钮采纳（记入修订历史）。</p>'
            '<table class="kb-import-checks"><thead><tr><th>类别</th><th>原文</th><th>检查</th><th>改正</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            checks[0].file_name or "—", rows,
        )  # fmt: skip

    @admin.display(description="引用检查")
    def reference_checks(self, article):
        if not article.pk:
            return "保存后在此列出正文引用的法条、无法识别的引用和引文不符之处。"
        if not article.reference_report:
            return "正文中没有发现法条引用。"
        return format_html(
            '<table class="kb-references"><thead><tr><th>原文</th><th>法规</th><th>条</th><th>检查</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
                (entry["text"], entry["law"] or entry["law_as_written"] or "?", entry["key"], reference_verdict(entry))
                for entry in article.reference_report
            )),
        )  # fmt: skip

    @admin.display(description="检索到的相关法条")
    def suggested_provisions(self, article):
        """What the statute search finds for the article's opening words: provisions it may want to cite."""
        if not article.pk:
            return "保存后在此列出与文章最相关的法条，供引用参考。"
        cited = set(article.citations.values_list("provision_id", flat=True))
        topics = article.topics.select_related("provision__law")
        if not topics:
            return "未检索到相关法条（搜索索引建好后运行 manage.py refresh_topics）。"
        return format_html_join(
            "", '<div><a href="{}" target="_blank">{} {}</a>{}</div>', (
                (
                    topic.provision.get_absolute_url(),
                    topic.provision.law.short_title or topic.provision.law.title,
                    topic.provision.label,
                    "（已引用）" if topic.provision_id in cited else "",
                )
                for topic in topics
            ),
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        pass  # saved with its citations in save_related, through the one door

    def save_related(self, request, form, formsets, change):
        """The article and the editor's citations, saved in one go by articles.services."""
        article = form.instance
        services.save_article(
            article=article,
            editor_citations=form.editor_citations(formsets),
            user=request.user,
            publish_reason=form.reason_to_publish,
        )
        if form.publication_problems and form.reason_to_publish:
            form.publish_anyway_note = services.published_anyway(
                form.reason_to_publish, form.publication_problems
            )
        for formset in formsets:  # what the change message reads; the rows were written above
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for entry in article.reference_report:
            verdict = reference_verdict(entry)
            if not verdict.startswith("正确"):
                # A warning, never a refusal: the article is saved either way.
                messages.warning(request, f"{entry['text']}：{verdict}")

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        note = getattr(form, "publish_anyway_note", "")
        if note:
            message = [*message, {"changed": {"fields": [note]}}] if isinstance(message, list) else note
        return message

    def delete_model(self, request, obj):
        services.delete_article(article=obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.delete_article(article=article)

    @admin.action(description="发布所选文章", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset:
            try:
                published = services.publish_article(article=article, user=request.user)
            except services.PublishRefused as refused:
                article.refresh_from_db()
                self.message_user(
                    request,
                    f"《{article.title}》没有发布：" + "；".join(refused.problems)
                    + "。请在文章页改正，或勾选“仍然发布”并写明理由。",
                    messages.ERROR,
                )  # fmt: skip
                continue
            if published:
                self.log_change(request, article, "通过批量操作发布。")
                count += 1
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS if count else messages.INFO)

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset:
            if services.unpublish_article(article=article, user=request.user):
                self.log_change(request, article, "通过批量操作撤回为草稿。")
                count += 1
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(CheckedInputMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(CheckedInputMixin, admin.ModelAdmin):
    list_display = ["name", "firm"]
    search_fields = ["name", "firm"]
