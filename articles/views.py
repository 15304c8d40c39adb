"""The reading site: home, article, category and author pages."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from . import selectors
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
    """An article page: the article, its cited provisions, neighbours, related articles, structured data.

    Kept whole for readers by the reader cache (kb.reader_cache), which also counts the views.
    Editors (signed in) may open drafts and scheduled articles, to preview them.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.visible_articles(user=self.request.user).with_relations(), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        article = self.object
        permalink = absolute_url(article.get_absolute_url())
        provisions = selectors.cited_provisions(article=article)
        selectors.change_notices(article=article, provisions=provisions)
        return super().get_context_data(
            permalink=permalink,
            provisions=provisions,
            outdated_provisions=selectors.outdated_provisions(provisions),
            neighbours=selectors.article_neighbours(article=article),
            related=selectors.related_articles(article=article),
            structured_data=article_structured_data(
                article=article, provisions=provisions, url=permalink, site_url=site_origin()
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
