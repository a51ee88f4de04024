from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("engagements/new/", views.engagement_create, name="create"),
    path("engagements/<int:pk>/", views.engagement_detail, name="detail"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("engagements/<int:pk>/status/", views.engagement_status, name="status"),
    path("engagements/<int:pk>/sponsors/new/", views.sponsor_add, name="sponsor_add"),
    path("engagements/<int:pk>/sponsors/<int:user_pk>/remove/", views.sponsor_remove, name="sponsor_remove"),
    path("engagements/<int:pk>/invitations/<int:user_pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("engagements/<int:pk>/goals/new/", views.goal_edit, name="goal_add"),
    path("engagements/<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("engagements/<int:pk>/goals/<int:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("engagements/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("sessions/<int:pk>/release/", views.session_release, name="session_release"),
    path("sessions/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("sessions/<int:pk>/agenda/<int:item_pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("sessions/<int:pk>/agenda/<int:item_pk>/share/", views.agenda_share, name="agenda_share"),
    path("account/calendar/", views.calendar_settings, name="calendar_settings"),
    path("account/calendar/new/", views.calendar_feed_new, name="calendar_feed_new"),
    path("account/calendar/off/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("account/calendar/meeting-room/", views.meeting_room, name="meeting_room"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
