from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("practice/retention/", views.practice_retention, name="practice"),
    path("engagements/<int:pk>/erase/", views.erase, name="erase"),
]
