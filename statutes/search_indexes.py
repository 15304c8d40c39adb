"""What the search index holds for each provision: all versions, current law ranked first."""

import math

from django.db.models import Count
from haystack import indexes

from kb.search.analysis import ChineseBigramAnalyzer
from kb.search.scoring import PRIOR_SCALE

from .models import Level, Provision, Status

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
    if not law.is_current or law.status != Status.IN_FORCE:
        prior *= NOT_CURRENT_PRIOR
    if provision.is_repealed:
        prior *= 0.1
    return round(prior, 4)


class ProvisionIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    heading = indexes.CharField(boost=2.0)
    bigrams = indexes.CharField(use_template=True, analyzer=ChineseBigramAnalyzer())
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

    def prepare_heading(self, provision):
        return " ".join([provision.law.short_title, *provision.headings])

    def prepare_is_current(self, provision):
        return provision.law.is_current and provision.law.status == Status.IN_FORCE

    def prepare_prior(self, provision):
        sizes = getattr(self, "_law_sizes", {})
        if provision.law_id not in sizes:
            # Counted once for all laws, again only when a new law appears.
            sizes = self._law_sizes = dict(
                Provision.objects.values("law_id").annotate(size=Count("id")).values_list("law_id", "size")
            )
        return round(provision_prior(provision, sizes.get(provision.law_id, 1)) * PRIOR_SCALE)
