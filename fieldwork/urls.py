from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    # Co-design at a session, and review at the next one.
    path("sessions/<int:pk>/fieldwork/", views.codesign, name="codesign"),
    path("sessions/<int:pk>/fieldwork/new/", views.commitment_add, name="commitment_add"),
    path("sessions/<int:session_pk>/commitments/<int:pk>/review/", views.commitment_review, name="commitment_review"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/delete/", views.commitment_delete, name="commitment_delete"),
    # The leader's practice logs. Reminder e-mails link to `log_practice` and `reflection`.
    path("commitments/<int:pk>/log/", views.log_practice, name="log_practice"),
    path("logs/<int:pk>/edit/", views.log_edit, name="log_edit"),
    path("reflection/", views.reflection, name="reflection"),
    path("engagements/<int:pk>/reflections/", views.reflection_history, name="reflection_history"),
    # The coach's own library of fieldwork templates.
    path("fieldwork/library/", views.library, name="library"),
    path("fieldwork/library/<int:pk>/edit/", views.library_edit, name="library_edit"),
    path("fieldwork/library/<int:pk>/delete/", views.library_delete, name="library_delete"),
]
