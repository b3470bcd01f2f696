"""Background work of the news: announcing region-wide news and news scheduled ahead."""

from __future__ import annotations

from django.tasks import task


@task
def announce_news(news_id: int) -> int:
    """Notify the audience of one piece of news (region-wide news reaches the whole region)."""
    from django.db import transaction

    from cartable.news.actions import announce
    from cartable.news.models import NewsItem

    item = NewsItem.objects.filter(pk=news_id).first()
    if item is None:
        return 0
    with transaction.atomic():
        return announce(item=item)


@task
def announce_due_news() -> int:
    """Notify the audience of news scheduled ahead that has become visible since the last run."""
    from cartable.news.actions import announce_due

    return announce_due()
