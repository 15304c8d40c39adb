"""The reading site: home, article, category and author pages."""

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .models import Article, Author, Category
from .related import articles_version
from .structured_data import article_structured_data

ARTICLES_PER_PAGE = 10


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            categories=selectors.categories_with_counts(),
            latest=selectors.latest_articles(),
            most_read=selectors.most_read_articles(),
            **kwargs,
        )


class ArticleDetailView(DetailView):
    """An article page. Readers get it from a cache, rendered at most once a minute per version.

    The cache key carries the article's last save and every article's (articles_version), so
    an edit, a new related article or a publication shows at once; statute text and relative
    dates may lag up to PAGE_CACHE_SECONDS. The view count is counted on every request and
    written into the cached page. Editors (signed in) always get a fresh page, drafts included.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    PAGE_CACHE_SECONDS = 60
    # Rendered where the view count goes, then replaced by the count of each request.
    VIEW_COUNT_MARK = 987_654_321_987_654

    def get(self, request, *args, **kwargs):
        visible = selectors.visible_articles(user=request.user).filter(pk=self.kwargs["pk"])
        # Counted with F() so that simultaneous readers never lose an increment.
        if not visible.update(view_count=F("view_count") + 1):
            raise Http404("没有这篇文章。")
        if request.user.is_authenticated:
            return super().get(request, *args, **kwargs)
        updated_at, view_count = visible.values_list("updated_at", "view_count").get()
        key = ":".join([
            "articles:page", str(self.kwargs["pk"]), updated_at.isoformat(), articles_version(),
            request.scheme, request.get_host(),
        ])  # fmt: skip
        page = cache.get(key)
        if page is None:
            self.render_for_cache = True
            response = super().get(request, *args, **kwargs)
            page = response.render().content
            cache.set(key, page, self.PAGE_CACHE_SECONDS)
        return HttpResponse(page.replace(str(self.VIEW_COUNT_MARK).encode(), str(view_count).encode()))

    def get_object(self, queryset=None):
        article = get_object_or_404(
            selectors.visible_articles(user=self.request.user).with_relations(), pk=self.kwargs["pk"]
        )
        if getattr(self, "render_for_cache", False):
            article.view_count = self.VIEW_COUNT_MARK
        return article

    def get_context_data(self, **kwargs):
        article = self.object
        provisions = selectors.cited_provisions(article=article)
        permalink = self.request.build_absolute_uri(article.get_absolute_url())
        site_url = self.request.build_absolute_uri("/").rstrip("/")
        return super().get_context_data(
            provisions=provisions,
            outdated_provisions=selectors.outdated_provisions(provisions),
            neighbours=selectors.article_neighbours(article=article),
            related=selectors.related_articles(article=article),
            permalink=permalink,
            structured_data=article_structured_data(
                article=article, provisions=provisions, url=permalink, site_url=site_url
            ),
            **kwargs,
        )


class CategoryView(ListView):
    template_name = "articles/category_detail.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return Article.objects.published().filter(category=self.category).select_related("author")

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class AuthorView(ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.author = get_object_or_404(Author, pk=self.kwargs["pk"])
        return selectors.author_articles(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
