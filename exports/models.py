"""Exports: a person's own data, built by a worker and downloaded through a private link that expires.

The file is kept in the database (`content`), so any web process can serve it and PostgreSQL stays the
one source of truth. The download link's token is an HMAC under the secret key of the owner and a
random nonce kept on the row (`accounts.tokens`); only its SHA-256 is stored. A link works only for its
owner, signed in, until `expires_at`; after that the file is dropped and the page says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Kind(models.TextChoices):
        LEADER_RECORD = "leader_record", _("My coaching record")
        PRACTICE = "practice", _("My coaching practice")
        PROGRAM = "program", _("Program report")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (for spreadsheets)")
        JSON = "json", _("JSON (machine-readable)")
        PDF = "pdf", _("PDF (readable report)")
        ZIP = "zip", _("ZIP of JSON and CSV files")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    IN_PROGRESS = (Status.PENDING, Status.RUNNING)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    # The program a program report is about (kind `program` only).
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    link_nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_0_100"),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(expires_at__isnull=False, finished_at__isnull=False),
                name="export_ready_has_expiry",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="leader_record", format__in=["json", "pdf"], program__isnull=True)
                    | Q(kind="practice", format="zip", program__isnull=True)
                    | Q(kind="program", format__in=["csv", "pdf"], program__isnull=False)
                ),
                name="export_kind_format",
            ),
            # One export of a kind and format (and program) in progress per person: a double click or
            # a reload never starts a second worker.
            models.UniqueConstraint(
                fields=["owner", "kind", "format", "program"],
                condition=Q(status__in=["pending", "running"]),
                nulls_distinct=False,
                name="export_one_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}) for {self.owner}"

    @property
    def link_value(self) -> str:
        """What the link's HMAC covers: the owner and the row's random nonce."""
        return f"{self.owner_id}:{self.link_nonce}"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def content_type(self) -> str:
        return {
            "csv": "text/csv; charset=utf-8",
            "json": "application/json",
            "pdf": "application/pdf",
            "zip": "application/zip",
        }[self.format]
