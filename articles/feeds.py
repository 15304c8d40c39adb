from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from statutes.text import clean_text, one_line

from .models import Article

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    title = "法律知识库 · 最新文章"
    link = reverse_lazy("home")
    description = "律师解答日常法律问题，引用的法条均来自国家法律法规条文库。"

    def items(self):
        return Article.objects.published().with_relations()[:FEED_LENGTH]

    # XML cannot carry control characters: a row stored before they were cleaned at the door still
    # makes a feed (statutes.text).
    def item_title(self, item):
        return one_line(item.title)

    def item_description(self, item):
        return clean_text(item.excerpt)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return one_line(item.author.name)

    def item_categories(self, item):
        return [one_line(item.category.name)]
