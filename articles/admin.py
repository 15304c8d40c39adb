"""Admin for editors: articles with their citations, categories and authors."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from statutes.models import Law

from . import services
from .models import Article, Author, Category, Citation


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
                if any(
                    not entry["resolved"] or entry["quote_matches"] is False
                    for entry in article.reference_report
                )
            ]
            return queryset.filter(pk__in=flagged)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """Refuses to overwrite an article that someone else saved after this form was opened."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Explicit scheme: Django 6 changes the default from http to https.
    source_url = forms.URLField(label="来源网址", required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = [
            "title", "category", "author", "body", "summary", "status", "published_at",
            "origin", "source_name", "source_url",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.updated_at.isoformat()

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


class CitationInline(admin.TabularInline):
    model = Citation
    autocomplete_fields = ["provision"]
    fields = ["provision", "order", "added_by"]
    extra = 1
    verbose_name = "引用法条"
    verbose_name_plural = "相关法条（在法规库中搜索，如“民法典 1032”）"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "category", "author", "status", "published_at", "view_count"]
    list_filter = ["status", "category", "author", "origin", CitesOutdatedLawFilter]
    list_select_related = ["category", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    readonly_fields = [
        "reference_checks",
        "suggested_provisions",
        "body_preview",
        "view_count",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "category", "author", "body", "summary", "loaded_version"]}),
        ("发布", {"fields": ["status", "published_at", "origin", "source_name", "source_url"]}),
        ("正文中的法条引用（上次保存时检查）", {"fields": ["reference_checks", "suggested_provisions"]}),
        ("已保存正文预览", {"classes": ["collapse"], "fields": ["body_preview"]}),
        ("统计", {"classes": ["collapse"], "fields": ["view_count", "created_at", "updated_at"]}),
    ]

    @admin.display(description="正文预览（上次保存）")
    def body_preview(self, article):
        if not article.pk:
            return "保存后在此预览。"
        # body_html was sanitized when the article was saved.
        return mark_safe(
            f'<div class="kb-preview" style="max-width:48em;line-height:1.8">{article.body_html}</div>'
        )

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
        # The editor's citation rows (the inline) are saved next, then the body's own (save_related).
        services.save_article(article=obj, sync_citations=False)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        services.sync_found_citations(article=article)
        for entry in article.reference_report:
            verdict = reference_verdict(entry)
            if not verdict.startswith("正确"):
                # A warning, never a refusal: the article is saved either way.
                messages.warning(request, f"{entry['text']}：{verdict}")

    def delete_model(self, request, obj):
        services.delete_article(article=obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.delete_article(article=article)

    @admin.action(description="发布所选文章", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset:
            if services.publish_article(article=article):
                self.log_change(request, article, "通过批量操作发布。")
                count += 1
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset:
            if services.unpublish_article(article=article):
                self.log_change(request, article, "通过批量操作撤回为草稿。")
                count += 1
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)


def reference_verdict(entry: dict) -> str:
    problems = {
        "unknown law": "法规库中没有这部法规",
        "no law named": "没有写明是哪部法规",
        "no such provision": "该法规没有这一条",
    }
    if not entry["resolved"]:
        problem = entry["problem"] or ""
        if problem.startswith("beyond the last article"):
            return "超出该法规的条数" + problem[len("beyond the last article") :].replace(
                "(", "（共 "
            ).replace(")", " 条）")
        verdict = problems.get(problem, "无法识别")
    elif entry["quote_matches"] is False:
        verdict = "引文与该条不符"
    else:
        return "正确" if entry["quote_matches"] is None else "正确，引文相符"
    if entry["suggestion"]:
        verdict += f"；引文出自 {entry['suggestion']['law']} {entry['suggestion']['label']}"
    return verdict


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "firm"]
    search_fields = ["name", "firm"]
