"""Request e-mails move to the outbox; addresses are compared normalised; address changes are recorded.

- `Stakeholder.email_key`: the address normalised for comparison (lower case, no `+tag`), unique per
  engagement. Rows that were distinct before but normalise alike (rare: `pat@x` and `Pat+hr@x`) keep
  working: the later row's key gets a `#<id>` suffix, so it still refuses a third copy.
- `FeedbackRequest.send_status`, `send_attempts` and `send_error` give way to outbox rows
  (`request:<id>:send:<n>`). A request still waiting to be sent gets a pending row, so the outbox's
  tick sends it; one that failed gets a failed row that keeps its error, so the coach still sees it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _normalise(address):
    address = (address or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def fill_email_keys(apps, schema_editor):
    Stakeholder = apps.get_model("stakeholders", "Stakeholder")
    seen = set()
    for pk, engagement_id, email in Stakeholder.objects.order_by("pk").values_list("pk", "engagement_id", "email"):
        key = _normalise(email)
        if (engagement_id, key) in seen:
            key = f"{key}#{pk}"
        seen.add((engagement_id, key))
        Stakeholder.objects.filter(pk=pk).update(email_key=key)


def move_sends_to_outbox(apps, schema_editor):
    FeedbackRequest = apps.get_model("stakeholders", "FeedbackRequest")
    Notification = apps.get_model("notifications", "Notification")
    now = timezone.now()
    FeedbackRequest.objects.exclude(send_status="pending", sent_at__isnull=True, send_attempts=0).update(send_count=1)
    waiting = FeedbackRequest.objects.filter(
        send_status__in=["pending", "sending", "failed"],
        answered_at__isnull=True,
        withdrawn_at__isnull=True,
        round__status="open",
    ).select_related("stakeholder", "round__engagement__leader")
    for request in waiting.iterator():
        failed = request.send_status == "failed"
        engagement = request.round.engagement
        FeedbackRequest.objects.filter(pk=request.pk).update(send_count=1)
        Notification.objects.get_or_create(
            recipient_key=f"email:{request.stakeholder.email.strip().lower()}",
            kind="stakeholder_request",
            period_key=f"request:{request.pk}:send:1",
            defaults={
                "recipient_email": request.stakeholder.email.strip(),
                "time_zone": engagement.leader.time_zone,
                "engagement_id": engagement.pk,
                "context": {"request_id": request.pk, "send": 1},
                "status": "failed" if failed else "pending",
                "due_at": now,
                "created_at": now,
                "attempts": request.send_attempts,
                "last_error": request.send_error,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0002_request_stakeholder_restrict"),
        ("notifications", "0003_invitation_and_feedback_request_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="stakeholder",
            name="email_key",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The address normalised for comparison (see normalise_email).",
                max_length=254,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="email_changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="email_changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="email_change_sent_link",
            field=models.BooleanField(
                default=False,
                help_text="The change revoked an unanswered link and sent a new one to the new address.",
            ),
        ),
        migrations.AddField(
            model_name="feedbackrequest",
            name="send_count",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="feedbackrequest",
            name="sent_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the mail server first accepted the current link; reminders count from it.",
                null=True,
            ),
        ),
        migrations.RunPython(fill_email_keys, migrations.RunPython.noop),
        migrations.RunPython(move_sends_to_outbox, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="stakeholder",
            name="stakeholder_email_unique_per_engagement",
        ),
        migrations.AddConstraint(
            model_name="stakeholder",
            constraint=models.UniqueConstraint(
                fields=("engagement", "email_key"),
                name="stakeholder_email_key_unique_per_engagement",
                violation_error_message="This e-mail address is already on the roster of this engagement.",
            ),
        ),
        migrations.RemoveField(model_name="feedbackrequest", name="send_status"),
        migrations.RemoveField(model_name="feedbackrequest", name="send_attempts"),
        migrations.RemoveField(model_name="feedbackrequest", name="send_error"),
        migrations.CreateModel(
            name="RevokedLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("revoked_at", models.DateTimeField(default=timezone.now)),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revoked_links",
                        to="stakeholders.feedbackrequest",
                    ),
                ),
            ],
            options={"ordering": ["pk"]},
        ),
    ]
