"""Client organisations, their programs (cohorts of engagements), and the ledger of who looked.

An engagement belongs to a client organisation (`Engagement.client`) and optionally to one of its
programs (`Engagement.program`). A program's managers are people at the client organisation,
invited like sponsors; they see the program dashboard (`programs.selectors.program_dashboard`).
A leader's own row appears there only once the leader released it (`RowRelease`). Every view or
export of a leader's sponsor summary or program row by someone else is one `LedgerEntry`, which the
leader and the coach read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.limits import DATE_VALIDATORS, date_in_range

#: No figure about fewer than this many leaders is shown on a program's pages or exports.
MIN_LEADERS = 3


class ClientOrganisationQuerySet(models.QuerySet["ClientOrganisation"]):
    def run_by(self, user) -> ClientOrganisationQuerySet:
        """Organisations a coach or the practice admin of the same practice manages."""
        if not (user.is_authenticated and user.practice_id and (user.is_coach or user.is_practice_admin)):
            return self.none()
        return self.filter(practice_id=user.practice_id)


class ClientOrganisation(models.Model):
    """The organisation that buys coaching for its leaders (the engagement's "organisation")."""

    practice = models.ForeignKey(
        "accounts.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="client_organisations"
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClientOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="client_organisation_name_unique_per_practice"),
            models.CheckConstraint(condition=~Q(name=""), name="client_organisation_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramQuerySet(models.QuerySet["Program"]):
    def run_by(self, user) -> ProgramQuerySet:
        """Programs of the organisations a coach or the practice admin manages."""
        return self.filter(organisation__in=ClientOrganisation.objects.run_by(user))

    def managed_by(self, user) -> ProgramQuerySet:
        """The one rule for program managers: the programs they were invited to and accepted."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(managers=user)


class Program(models.Model):
    """A cohort of engagements bought by one organisation, with dates and sessions planned per leader."""

    organisation = models.ForeignKey(ClientOrganisation, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("starts on"), validators=DATE_VALIDATORS)
    end_date = models.DateField(_("ends on"), validators=DATE_VALIDATORS)
    planned_sessions = models.PositiveSmallIntegerField(
        _("sessions planned per leader"), default=6, help_text=_("Utilisation is measured against this.")
    )
    stalled_after_weeks = models.PositiveSmallIntegerField(
        _("stalled after (weeks)"),
        default=4,
        help_text=_("An engagement with no session held in this many weeks and none booked counts as stalled."),
    )
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_programs")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="program_name_unique_per_organisation"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="program_ends_after_start"),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=60), name="program_planned_sessions_1_60"
            ),
            models.CheckConstraint(
                condition=Q(stalled_after_weeks__gte=1, stalled_after_weeks__lte=26), name="program_stalled_1_26"
            ),
            date_in_range("start_date", name="program_start_date_2000_2100"),
            date_in_range("end_date", name="program_end_date_2000_2100"),
        ]

    def __str__(self) -> str:
        return self.name


class RowRelease(models.Model):
    """The leader's consent: their own row (sponsor-summary facts only) appears on the program dashboard."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="row_release")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Row of engagement {self.engagement_id} released"


class LedgerEntry(models.Model):
    """One look at a leader's data by someone else: who, when, what. Never the leader's own views."""

    class What(models.TextChoices):
        SUMMARY_VIEW = "summary_view", _("Viewed the progress summary")
        SUMMARY_PDF = "summary_pdf", _("Downloaded the progress summary as PDF")
        PROGRAM_ROW_VIEW = "program_row_view", _("Viewed the program row")
        PROGRAM_EXPORT_CSV = "program_csv", _("Exported the program report as CSV")
        PROGRAM_EXPORT_PDF = "program_pdf", _("Exported the program report as PDF")

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="ledger")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    viewer_name = models.CharField(max_length=150)
    viewer_role = models.CharField(max_length=20)
    what = models.CharField(max_length=20, choices=What.choices)
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["engagement", "-at"])]

    def __str__(self) -> str:
        return f"{self.viewer_name}: {self.get_what_display()}"
