from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("engagements/<int:pk>/feedback/", views.overview, name="overview"),
    path("engagements/<int:pk>/feedback/threshold/", views.threshold, name="threshold"),
    path("engagements/<int:pk>/feedback/rounds/new/", views.round_new, name="round_new"),
    path("engagements/<int:pk>/stakeholders/new/", views.stakeholder_add, name="stakeholder_add"),
    path(
        "engagements/<int:pk>/stakeholders/<int:stakeholder_pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"
    ),
    path(
        "engagements/<int:pk>/stakeholders/<int:stakeholder_pk>/approve/",
        views.stakeholder_approve,
        name="stakeholder_approve",
    ),
    path(
        "engagements/<int:pk>/stakeholders/<int:stakeholder_pk>/deactivate/",
        views.stakeholder_deactivate,
        name="stakeholder_deactivate",
    ),
    path(
        "engagements/<int:pk>/stakeholders/<int:stakeholder_pk>/remove/",
        views.stakeholder_remove,
        name="stakeholder_remove",
    ),
    path("feedback/rounds/<int:pk>/", views.round_detail, name="round"),
    path("feedback/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("feedback/rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("feedback/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("feedback/rounds/<int:pk>/delete/", views.round_delete, name="round_delete"),
    path("feedback/rounds/<int:pk>/results/", views.results, name="results"),
    path("feedback/requests/<int:pk>/resend/", views.request_resend, name="request_resend"),
    # The stakeholder's private link: no account, rate limited, never cached (see views.answer).
    path("f/<str:token>/", views.answer, name="answer"),
]
