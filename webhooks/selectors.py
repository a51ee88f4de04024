"""Reads of the webhook pages."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Delivery, Endpoint

LOG_LIMIT = 50


def endpoints_of(user) -> QuerySet[Endpoint]:
    return Endpoint.objects.visible_to(user).select_related("practice")


def delivery_log(*, endpoint: Endpoint) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first (one query)."""
    return list(endpoint.deliveries.defer("payload")[:LOG_LIMIT])
