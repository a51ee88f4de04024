"""People: the custom user (e-mail login, IANA time zone), coaching practices and invitations."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{value}” is not a time zone we know. Pick one from the list.") from None


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


# Where the practice's coaches and clients mostly live; listed first in the time-zone picker.
COMMON_TIME_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
)


def grouped_time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's choices: common zones first, then every other zone, each zone once."""
    every = time_zone_choices()
    known = dict(every)
    common = [(name, known[name]) for name in COMMON_TIME_ZONES if name in known]
    others = [(name, label) for name, label in every if name not in COMMON_TIME_ZONES]
    return [(gettext("Common time zones"), common), (gettext("All other time zones"), others)]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


def language_choices() -> list[tuple[str, str]]:
    """The languages the site offers (settings.LANGUAGES), each named in its own language."""
    return list(settings.LANGUAGES)


def validate_language(value: str) -> None:
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the languages the site offers."), code="invalid_language")


class Practice(models.Model):
    """A coaching practice: the firm whose coaches use the product. Its admins see counts only."""

    name = models.CharField(max_length=200, unique=True)
    # The language of members (and of the leaders and sponsors of its coaches) who have not chosen one.
    language = models.CharField(
        _("default language"), max_length=16, blank=True, default="", validators=[validate_language]
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    time_zone = models.CharField(
        max_length=64, default=settings.DEFAULT_USER_TIME_ZONE, validators=[validate_time_zone]
    )
    # Blank: not chosen; the practice's default applies (README, "Languages").
    language = models.CharField(_("language"), max_length=16, blank=True, default="", validators=[validate_language])
    is_coach = models.BooleanField(default=False, help_text="Coaches run engagements.")
    is_practice_admin = models.BooleanField(
        default=False, help_text="Manages the coaches of a practice; sees counts, never content."
    )
    is_reviewer = models.BooleanField(
        default=False, help_text="A supervising coach: reads the practice's engagements' plain facts, never notes."
    )
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(email=""), name="user_email_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        """`moment` expressed in this person's own time zone."""
        return moment.astimezone(self.tz)


class Invitation(models.Model):
    """An invitation to join as a leader, sponsor or coach.

    The link's token is derived, never stored: an HMAC under the secret key of the person and a random
    nonce kept on the row (`accounts.tokens`), so the outbox can rebuild the link when it sends the
    e-mail. Only the token's SHA-256 is stored and looked up. A newer invitation of the same person
    for the same purpose (role and engagement) revokes the older ones.
    """

    class Role(models.TextChoices):
        LEADER = "leader", "Leader"
        SPONSOR = "sponsor", "Sponsor"
        COACH = "coach", "Coach"
        PROGRAM_MANAGER = "program_manager", "Program manager"
        REVIEWER = "reviewer", "Reviewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    context = models.CharField(max_length=200, blank=True, help_text="What the invitation is for, shown on the page.")
    # The engagement the invitation is about (a plain id: accounts sits below engagements).
    engagement_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The program a program manager is invited to (a plain id: accounts sits below programs).
    program_id = models.PositiveBigIntegerField(null=True, blank=True)
    link_nonce = models.CharField(max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="invitation_expires_after_creation"
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]
        indexes = [models.Index(fields=["user", "role", "engagement_id"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} invitation for {self.user}"

    @property
    def link_value(self) -> str:
        """What the link's HMAC covers: the person and the row's random nonce."""
        return f"{self.user_id}:{self.link_nonce}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class IdempotencyKey(models.Model):
    """One submitted create form: the random key the form carried and the row it created.

    `scope` names the model created (`app_label.model`); the key is unique per scope, so the database
    settles a double submit: the second insert of a key fails (or, while the first transaction is
    still open, waits for it and then fails) and the second request returns the first row. The key
    is bound to the person who sent it. See `accounts/idempotency.py`.
    """

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_scope"),
            models.CheckConstraint(condition=~models.Q(key=""), name="idempotency_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}…"
