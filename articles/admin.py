"""Admin for editors: articles with their citations, categories and authors."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import Article, Author, Category, Citation


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

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded:
            stored = Article.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
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
    list_filter = ["status", "category", "author", "origin"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    readonly_fields = ["body_preview", "view_count", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "category", "author", "body", "summary", "loaded_version"]}),
        ("发布", {"fields": ["status", "published_at", "origin", "source_name", "source_url"]}),
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

    @admin.action(description="发布所选文章", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or timezone.now()
            article.save()
            count += 1
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save()
            count += 1
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)


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
