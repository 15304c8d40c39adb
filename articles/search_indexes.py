"""What the search index holds for each published article."""

from haystack import indexes

from kb.search.analysis import ChineseBigramAnalyzer
from kb.search.scoring import PRIOR_SCALE

from .models import Article


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    heading = indexes.CharField(model_attr="title", boost=3.0)
    bigrams = indexes.CharField(use_template=True, analyzer=ChineseBigramAnalyzer())
    category_id = indexes.IntegerField(model_attr="category_id")
    published_at = indexes.DateTimeField(model_attr="published_at")
    prior = indexes.IntegerField()

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        # Published articles, scheduled ones included: saved into the index when the editor saves,
        # they are kept from readers by the search until their time comes (no job has to index them
        # then). Drafts stay out of the index.
        return Article.objects.filter(status=Article.Status.PUBLISHED).select_related("category", "author")

    def read_queryset(self, using=None):
        return Article.objects.published().select_related("category", "author")

    def prepare_prior(self, article):
        # Articles are written for readers' questions: ranked above statute text of equal relevance.
        return round(1.5 * PRIOR_SCALE)
