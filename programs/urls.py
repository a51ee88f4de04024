from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="list"),
    path("programs/organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path("programs/<int:pk>/", views.dashboard, name="dashboard"),
    path("programs/<int:pk>/report/", views.report_export, name="report"),
    path("programs/<int:pk>/manage/", views.program_manage, name="manage"),
    path("programs/<int:pk>/managers/", views.manager_invite, name="manager_invite"),
    path("programs/<int:pk>/managers/<int:user_pk>/remove/", views.manager_remove, name="manager_remove"),
    path("programs/<int:pk>/engagements/", views.program_engagements, name="engagements"),
    path("engagements/<int:pk>/program-row/", views.row_release, name="row_release"),
    path("engagements/<int:pk>/ledger/", views.ledger, name="ledger"),
]
