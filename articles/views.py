"""The reading site: home, article, category and author pages."""

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.generic import DetailView, ListView

from . import pages, selectors, view_counts
from .links import absolute_url, site_origin
from .models import Article, Author, Category
from .structured_data import article_structured_data

ARTICLES_PER_PAGE = 10


class HomeView(ListView):
    """The home page: the latest articles, page by page through all of them; categories and the most read beside."""

    template_name = "articles/home.html"
    context_object_name = "latest"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().with_relations()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            categories=selectors.categories_with_counts(),
            most_read=selectors.most_read_articles(),
            **kwargs,
        )


class ArticleDetailView(DetailView):
    """An article page, counted on every reader's GET.

    What costs time to render (the body with its cited provisions, the QR code, neighbours,
    related articles, structured data) is rendered once and kept for readers (articles.pages),
    until a save drops it: the article's own, or one of an article the page shows. The header,
    with the view count and the relative date, is rendered for each request. Editors (signed in)
    always get fresh parts, drafts included.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    PARTS = ("head", "body")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()  # a 404 for what the reader may not see
        # A view is a reader's GET (a HEAD reads nothing): in Redis, written in batches, or with F()
        # in the database; simultaneous readers never lose an increment either way. The reader sees
        # the count with the views not yet written, their own included.
        if request.method == "GET":
            self.object.view_count += view_counts.count_view(self.object.pk)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.visible_articles(user=self.request.user).with_relations(), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        article = self.object
        permalink = absolute_url(self.request, article.get_absolute_url())
        if self.request.user.is_authenticated:
            parts = self.render_parts(article, permalink)
        else:
            parts = pages.cached_parts(
                article, site_origin(self.request), lambda: self.render_parts(article, permalink)
            )
        return super().get_context_data(permalink=permalink, parts=parts, **kwargs)

    def render_parts(self, article: Article, permalink: str) -> dict[str, str]:
        """The cached parts of the page, as HTML: nothing in them depends on who reads it."""
        provisions = selectors.cited_provisions(article=article)
        context = {
            "article": article,
            "permalink": permalink,
            "provisions": provisions,
            "outdated_provisions": selectors.outdated_provisions(provisions),
            "neighbours": selectors.article_neighbours(article=article),
            "related": selectors.related_articles(article=article),
            "structured_data": article_structured_data(
                article=article,
                provisions=provisions,
                url=permalink,
                site_url=site_origin(self.request),
            ),
        }
        return {
            part: render_to_string(f"articles/includes/article_{part}.html", context) for part in self.PARTS
        }


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
