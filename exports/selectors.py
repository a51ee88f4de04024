"""Reads of the exports pages. Files are never loaded to list or show a row (`content` is deferred)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import Export

LIST_LIMIT = 20


def exports_of(owner: User) -> QuerySet[Export]:
    """The person's own exports, without their files: the only way views reach an export."""
    return Export.objects.filter(owner=owner).defer("content")


def recent_exports(*, owner: User) -> list[Export]:
    """The person's latest exports (one query)."""
    return list(exports_of(owner)[:LIST_LIMIT])
