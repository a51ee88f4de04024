from django.urls import path

from . import views_tokens

app_name = "api_tokens"

urlpatterns = [
    path("tokens/new/", views_tokens.token_create, name="create"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="revoke"),
]
