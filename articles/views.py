"""The reading site: home, article, category and author pages."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .models import Article, Author, Category
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
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        articles = selectors.visible_articles(user=self.request.user)
        # Counted with F() so that simultaneous readers never lose an increment.
        articles.filter(pk=self.kwargs["pk"]).update(view_count=F("view_count") + 1)
        return get_object_or_404(articles.with_relations(), pk=self.kwargs["pk"])

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
