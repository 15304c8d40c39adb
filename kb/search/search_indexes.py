"""What the search index holds: each provision of the library and each published article.

Here in the search layer (haystack finds search_indexes in every installed app): the apps below
know nothing of search. Provisions of every version are indexed, current law ranked first by the
prior; articles that readers may see, scheduled ones included (see not_yet_visible).
"""

import math

from django.db.models import Count
from haystack import indexes

from articles.models import Article
from statutes.models import Level, Provision

from .analysis import ChineseBigramAnalyzer
from .scoring import PRIOR_SCALE

# Higher-ranking norms answer more everyday questions; superseded and repealed text ranks last.
LEVEL_PRIOR = {
    Level.CONSTITUTION: 1.0,
    Level.LAW: 1.0,
    Level.JUDICIAL_INTERPRETATION: 0.9,
    Level.ADMINISTRATIVE_REGULATION: 0.85,
    Level.DEPARTMENTAL_RULE: 0.75,
    Level.OTHER: 0.7,
}
NOT_CURRENT_PRIOR = 0.3


def provision_prior(provision: Provision, law_size: int) -> float:
    law = provision.law
    prior = LEVEL_PRIOR.get(law.level, 0.7)
    # Comprehensive codes (民法典, 刑法) are where most everyday questions are answered.
    prior *= 1 + 0.1 * math.log(max(law_size, 1))
    if not law.is_in_force:
        prior *= NOT_CURRENT_PRIOR
    if provision.is_repealed:
        prior *= 0.1
    return round(prior, 4)


class ProvisionIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    heading = indexes.CharField(boost=2.0)
    bigrams = indexes.CharField(analyzer=ChineseBigramAnalyzer())
    law_id = indexes.IntegerField(model_attr="law_id")
    law_title = indexes.CharField(model_attr="law__short_title", indexed=False)
    label = indexes.CharField(model_attr="label", indexed=False)
    key = indexes.CharField(model_attr="key", indexed=False)
    level = indexes.CharField(model_attr="law__level", faceted=True)
    is_current = indexes.BooleanField()
    prior = indexes.IntegerField()

    def get_model(self):
        return Provision

    def index_queryset(self, using=None):
        return Provision.objects.select_related("law")

    def read_queryset(self, using=None):
        return Provision.objects.select_related("law")

    def prepare_text(self, provision):
        # Written here rather than by a template: a full rebuild prepares 64,000 of them.
        return "\n".join(
            [f"{provision.law.short_title} {provision.label}", " ".join(provision.headings), provision.text]
        )

    def prepare_heading(self, provision):
        return " ".join([provision.law.short_title, *provision.headings])

    def prepare_bigrams(self, provision):
        return self.prepared_data["text"]  # the same text, cut into character pairs

    def prepare_is_current(self, provision):
        return provision.law.is_in_force

    def prepare_prior(self, provision):
        sizes = getattr(self, "_law_sizes", {})
        if provision.law_id not in sizes:
            # Counted once for all laws, again only when a new law appears.
            sizes = self._law_sizes = dict(
                Provision.objects.values("law_id").annotate(size=Count("id")).values_list("law_id", "size")
            )
        return round(provision_prior(provision, sizes.get(provision.law_id, 1)) * PRIOR_SCALE)


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    heading = indexes.CharField(model_attr="title", boost=3.0)
    bigrams = indexes.CharField(analyzer=ChineseBigramAnalyzer())
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

    def prepare_text(self, article):
        return "\n".join([article.title, article.category.name, article.excerpt, article.body])

    def prepare_bigrams(self, article):
        return self.prepared_data["text"]

    def prepare_prior(self, article):
        # Articles are written for readers' questions: ranked above statute text of equal relevance.
        return round(1.5 * PRIOR_SCALE)
