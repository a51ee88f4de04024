from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("availability/", views.availability, name="availability"),
    path("availability/hours/", views.hours_add, name="hours_add"),
    path("availability/hours/<int:pk>/remove/", views.hours_remove, name="hours_remove"),
    path("availability/exceptions/", views.exception_add, name="exception_add"),
    path("availability/exceptions/<int:pk>/remove/", views.exception_remove, name="exception_remove"),
    path("availability/calendar/", views.calendar_connect, name="calendar_connect"),
    path("availability/calendar/disconnect/", views.calendar_disconnect, name="calendar_disconnect"),
    path("availability/calendar/sync/", views.calendar_sync, name="calendar_sync"),
    path("engagements/<int:pk>/book/", views.book, name="book"),
    path("engagements/<int:pk>/assistants/new/", views.assistant_add, name="assistant_add"),
    path("engagements/<int:pk>/assistants/<int:assistant_pk>/remove/", views.assistant_remove, name="assistant_remove"),
    path("sessions/<int:pk>/move/", views.move, name="move"),
    path("sessions/<int:pk>/cancel-booking/", views.cancel, name="cancel"),
    path("book/a/<str:token>/", views.assistant, name="assistant"),
    path("book/a/<str:token>/book/", views.assistant_book, name="assistant_book"),
    path("book/a/<str:token>/sessions/<int:pk>/move/", views.assistant_move, name="assistant_move"),
    path("book/a/<str:token>/sessions/<int:pk>/cancel/", views.assistant_cancel, name="assistant_cancel"),
]
