from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("exports/", views.export_list, name="list"),
    path("exports/new/", views.export_new, name="new"),
    path("exports/<int:pk>/", views.export_detail, name="detail"),
    path("exports/download/<str:token>/", views.download, name="download"),
]
