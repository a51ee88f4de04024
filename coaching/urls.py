from django.contrib import admin
from django.urls import include, path

from . import outbox, views, views_summary

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("coach/", views.coach_home, name="coach_home"),
    path("leader/", views.leader_home, name="leader_home"),
    path("sponsor/", views.sponsor_home, name="sponsor_home"),
    path("practice/", views.practice, name="practice"),
    path(
        "practice/invitations/<int:pk>/<str:action>/",
        views.practice_invitation,
        name="practice_invitation",
    ),
    path("practice/reviews/", views.practice_reviews, name="practice_reviews"),
    path("practice/reviews/<int:pk>/", views.practice_review, name="practice_review"),
    path("practice/coaches/<int:pk>/deactivate/", views.practice_coach_deactivate, name="practice_coach_deactivate"),
    path("practice/coaches/<int:pk>/reassign/", views.practice_coach_reassign, name="practice_coach_reassign"),
    path("engagements/<int:pk>/summary/", views_summary.summary, name="summary"),
    path("engagements/<int:pk>/summary.pdf", views_summary.summary_pdf, name="summary_pdf"),
    path(
        "engagements/<int:pk>/summary/sessions/<int:session_pk>/release/",
        views_summary.summary_release,
        name="summary_release",
    ),
    path("engagements/<int:pk>/check-in/", views.checkin, name="checkin"),
    path("engagements/<int:pk>/outbox/", outbox.engagement_outbox, name="engagement_outbox"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("api.urls_tokens")),
    path("api/", include("api.urls")),
    path("", include("engagements.urls")),
    path("", include("fieldwork.urls")),
    path("", include("stakeholders.urls")),
    path("", include("booking.urls")),
    path("", include("notifications.urls")),
    path("", include("exports.urls")),
    path("", include("retention.urls")),
    path("", include("webhooks.urls")),
    path("", include("programs.urls")),
    path("admin/", admin.site.urls),
]
