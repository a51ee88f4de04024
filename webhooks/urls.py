from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="list"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="detail"),
    path("webhooks/<int:pk>/switch-off/", views.endpoint_switch_off, name="switch_off"),
]
