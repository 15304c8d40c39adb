"""Q&A articles written by lawyers, grouped by category, citing provisions of the statute library."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from statutes.models import Provision

from .markdown import MarkdownRefused, markdown_problem, render_markdown, summarize
from .references import link_references, reference_report


class CategoryManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(models.Model):
    """A subject readers browse by (金融债务, 劳动用工 …)."""

    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField(
        "网址名", max_length=50, unique=True, help_text="网址中的英文或拼音，如 finance-debt。"
    )
    description = models.TextField("简介", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0, help_text="小的在前。")

    objects = CategoryManager()

    class Meta:
        verbose_name = "分类"
        verbose_name_plural = "分类"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class AuthorManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Author(models.Model):
    """The lawyer who answers: name, firm and a short biography."""

    name = models.CharField("姓名", max_length=60, unique=True)
    firm = models.CharField("律师事务所", max_length=100, blank=True)
    bio = models.TextField("简介", blank=True)

    objects = AuthorManager()

    class Meta:
        verbose_name = "作者"
        verbose_name_plural = "作者"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.pk])

    def natural_key(self):
        return (self.name,)


def visible_to_readers(prefix: str = "") -> Q:
    """The one rule of what readers may see: published, with a publication time that has come.

    prefix: the path to the article from another model ("articles__" from a category).
    """
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see (visible_to_readers)."""
        return self.filter(visible_to_readers())

    def scheduled(self):
        """Published with a publication time still to come: hidden from readers until then."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def with_relations(self):
        return self.select_related("category", "author")


class Article(models.Model):
    """A question and a lawyer's answer, in Markdown, with the provisions it cites as records.

    body_html and excerpt are derived from body at save time: readers never pay for the
    Markdown rendering, and what they get has been sanitized.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    class Origin(models.TextChoices):
        ORIGINAL = "original", "原创"
        REPRINT = "reprint", "转载"

    title = models.CharField("标题", max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name="分类"
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles", verbose_name="作者")
    body = models.TextField("正文（Markdown）")
    body_html = models.TextField("正文 HTML", editable=False, blank=True)
    summary = models.TextField("摘要", blank=True, max_length=300, help_text="留空则取正文开头。")
    excerpt = models.TextField("摘录", editable=False, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    view_count = models.PositiveIntegerField("阅读数", default=0, editable=False)
    # The row an imported article came from (lecoqa:123) and a digest of it: a second import finds it.
    import_key = models.CharField(
        "导入来源", max_length=100, unique=True, null=True, blank=True, editable=False
    )
    import_digest = models.CharField("导入内容摘要", max_length=64, blank=True, editable=False)
    reference_report = models.JSONField("引用检查", default=list, editable=False, blank=True)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.ORIGINAL)
    source_name = models.CharField("转载来源", max_length=100, blank=True)
    source_url = models.URLField("来源网址", blank=True)
    provisions = models.ManyToManyField(
        Provision, through="Citation", related_name="articles", verbose_name="引用法条", blank=True
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(origin="original") | ~Q(source_name=""),
                name="article_reprint_has_source",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["category", "status", "published_at"]),
        ]

    COUNTERS = ("view_count",)

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """The row with what render() derives (once per text: the publication check may just have
        rendered it). Writing anything else (citations, revisions, search) is articles.services' work."""
        self.ensure_rendered()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "excerpt", "reference_report"}
        elif update_fields is None and self.pk is not None and not self._state.adding:
            # The counter readers move on with F() while an editor edits (views) is never written
            # back from the editor's copy: that would undo their increments.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)
        self._rendered_for_this_write = False  # a later write of this instance checks again

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.pk])

    def clean(self):
        problem = markdown_problem(self.body)
        if problem:
            raise ValidationError({"body": problem})
        # Publishing without a time means "now"; set it before the constraints are validated.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def render(self) -> None:
        """Derive from the body, on the library as it is now: sanitized HTML with its statute
        references linked, the report of those references, the excerpt."""
        try:
            html = render_markdown(self.body)
        except (
            MarkdownRefused
        ) as problem:  # the admin says so before saving (clean); here it is refused unsaved
            raise ValidationError({"body": str(problem)}) from None
        self.body_html, checked = link_references(html)
        self.reference_report = reference_report(checked)
        self.excerpt = self.summary.strip() or summarize(self.body_html)
        self._rendered_from = (self.body, self.summary)
        self._rendered_for_this_write = True

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._rendered_for_this_write = False  # the stored rendering, made at an earlier save

    def ensure_rendered(self, *, for_this_write: bool = False) -> None:
        """render(), unless it was done for the text as it is now.

        for_this_write: and since this instance was last saved. The publication check judges a text
        on the library as it is when the text is published, not as it was at an earlier save.
        """
        stale = for_this_write and not getattr(self, "_rendered_for_this_write", False)
        if stale or getattr(self, "_rendered_from", None) != (self.body, self.summary):
            self.render()

    def take_rendering(self, rendered: "Article | None") -> None:
        """Another instance's rendering, if it was made from this article's text as it is now."""
        if rendered is None or getattr(rendered, "_rendered_from", None) != (self.body, self.summary):
            return
        self.body_html, self.reference_report, self.excerpt = (
            rendered.body_html,
            rendered.reference_report,
            rendered.excerpt,
        )
        self._rendered_from = rendered._rendered_from
        self._rendered_for_this_write = True

    @property
    def is_reprint(self) -> bool:
        return self.origin == self.Origin.REPRINT

    @property
    def found_provision_ids(self) -> list[int]:
        """The provisions the body's references resolve to, in the order the body cites them."""
        found = (entry.get("provision_id") for entry in self.reference_report)
        return list(dict.fromkeys(pk for pk in found if pk))

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """Published with a time still to come (ArticleQuerySet.scheduled, for one article)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class Citation(models.Model):
    """An article citing one provision. A cited provision cannot be deleted (PROTECT)."""

    class AddedBy(models.TextChoices):
        EDITOR = "editor", "编辑"
        FINDER = "finder", "自动识别"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="citations", verbose_name="文章"
    )
    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, related_name="citations", verbose_name="法条"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    added_by = models.CharField("添加方式", max_length=10, choices=AddedBy.choices, default=AddedBy.EDITOR)

    class Meta:
        verbose_name = "引用法条"
        verbose_name_plural = "引用法条"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "provision"], name="citation_unique_provision"),
        ]

    def __str__(self):
        return f"{self.article} → {self.provision}"


class ArticleTopic(models.Model):
    """A provision the article is about, as the statute search finds it from the article's own words.

    Whether or not the article cites it: two articles about the same provisions answer the same
    legal question, which is what related articles are for. Recomputed when the text changes.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topics", verbose_name="文章")
    provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, related_name="article_topics", verbose_name="法条"
    )
    rank = models.PositiveSmallIntegerField("名次", help_text="0 为最相关。")

    class Meta:
        verbose_name = "相关法条（检索）"
        verbose_name_plural = "相关法条（检索）"
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "provision"], name="article_topic_unique_provision"),
        ]

    def __str__(self):
        return f"{self.article} ≈ {self.provision}"


class RelatedArticle(models.Model):
    """An article suggested under another (相关文章), in the order the search layer ranks them.

    Derived data, written by kb.search.related when either article changes, so that an article
    page reads its related articles in one query instead of searching for them.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links", verbose_name="文章"
    )
    related = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggested_under", verbose_name="相关文章"
    )
    rank = models.PositiveSmallIntegerField("名次", help_text="0 为最相关。")

    class Meta:
        verbose_name = "相关文章"
        verbose_name_plural = "相关文章"
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_article_unique"),
        ]

    def __str__(self):
        return f"{self.article} → {self.related}"


class RevisionCitations(models.Model):
    """The citations an article had when a revision of it was saved (django-reversion's revision
    metadata): recorded once the citation rows are final, so that restoring brings back the
    editor's own choice of provisions."""

    # More than one when a revision records them twice (nested saves): the last one counts.
    revision = models.ForeignKey("reversion.Revision", on_delete=models.CASCADE, related_name="+")
    # [[provision id, order, added by], …] in order
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = "修订时的引用法条"
        verbose_name_plural = "修订时的引用法条"

    def __str__(self):
        return f"{self.revision_id}: {len(self.rows)}"


class ImportCheck(models.Model):
    """A statute reference of an imported post as import_posts checked it, kept with the draft for its
    editor: what the post wrote, the verdict, and the provision to cite instead, if any.

    Three kinds: a reference of the post's 相关法条 (cited as a record; a quote that is word for word
    another provision's is cited by that provision at once, and the row says so), a reference left in
    the body (its fix rewrites the reference), and a provision the post does not cite that the search's
    evidence suggests. A fix not yet made is made with one click (articles.services.apply_import_check).
    """

    class Kind(models.TextChoices):
        STATUTES = "statutes", "相关法条"
        BODY = "body", "正文引用"
        SUGGESTED = "suggested", "建议引用"

    class Source(models.TextChoices):
        NONE = "", "—"
        QUOTE = "quote", "引文逐字出自该条"
        EVIDENCE = "evidence", "相似问答引用的法条与条文用语"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="import_checks", verbose_name="文章"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    text = models.CharField("原文", max_length=200, blank=True)
    verdict = models.TextField("检查结果", blank=True)
    written = models.ForeignKey(
        Provision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="所写的条"
    )
    suggested = models.ForeignKey(
        Provision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="建议的条"
    )
    source = models.CharField("建议依据", max_length=10, choices=Source.choices, blank=True, default="")
    # For a reference in the body: what to write in its place (《中华人民共和国电信条例》第六十五条).
    replacement = models.CharField("改写为", max_length=200, blank=True)
    applied_at = models.DateTimeField("已改正", null=True, blank=True)
    file_name = models.CharField("导入文件", max_length=200, blank=True)

    class Meta:
        verbose_name = "导入检查"
        verbose_name_plural = "导入检查"
        ordering = ["article", "order"]

    def __str__(self):
        return f"{self.article_id}: {self.text or self.suggested}"

    @property
    def fix_label(self) -> str:
        """The button: 改为 电信条例 第六十五条, 引用 民法典 第一千零三十二条."""
        if self.suggested is None:
            return ""
        name = f"{self.suggested.law.short_title or self.suggested.law.title} {self.suggested.label}"
        return f"引用 {name}" if self.kind == self.Kind.SUGGESTED else f"改为 {name}"


class ViewCountBatch(models.Model):
    """A batch of article views written from Redis (articles.view_counts): its row, committed with
    the counts, is how a later flush knows not to write the batch again."""

    batch_id = models.CharField(max_length=32, unique=True)
    views = models.PositiveIntegerField()
    written_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "浏览量批次"
        verbose_name_plural = "浏览量批次"

    def __str__(self):
        return f"{self.batch_id}: {self.views}"


class CitationAlert(models.Model):
    """A library update changed a provision a published article cites: the article is flagged until an
    editor cites the new text or acknowledges that nothing needs changing (with a reason).

    Made by articles.alerts when statutes.importer announces an update (statutes.signals).
    """

    class Resolution(models.TextChoices):
        CITED_NEW = "cited_new", "已引用新条文"
        ACKNOWLEDGED = "acknowledged", "确认无需修改"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="citation_alerts", verbose_name="文章"
    )
    provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, related_name="+", verbose_name="所引法条"
    )
    law_change = models.ForeignKey(
        "statutes.LawChange", on_delete=models.CASCADE, related_name="+", verbose_name="法律变动"
    )
    provision_change = models.ForeignKey(
        "statutes.ProvisionChange",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="条文变动",
        help_text="空：整部法律废止。",
    )
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolution = models.CharField("处理", max_length=20, choices=Resolution.choices, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="处理人",
    )

    class Meta:
        verbose_name = "所引法条变动提醒"
        verbose_name_plural = "所引法条变动提醒"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "provision", "law_change"], name="citation_alert_once_per_change"
            ),
        ]
        indexes = [models.Index(fields=["article", "resolved_at"])]

    def __str__(self):
        return f"{self.article} → {self.provision}：{self.what_changed}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def what_changed(self) -> str:
        """修改, 删除, 条号变动 or 废止: what became of the cited provision."""
        if self.provision_change_id is None:
            return "废止"
        return self.provision_change.get_kind_display()
