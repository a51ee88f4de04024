from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("preferences/", views.preferences, name="preferences"),
    path("practice/language/", views.practice_language, name="practice_language"),
]
