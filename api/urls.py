from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("v1/engagements/", views.EngagementList.as_view(), name="engagements"),
    path("v1/engagements/<int:pk>/", views.EngagementDetail.as_view(), name="engagement"),
    path("v1/engagements/<int:pk>/goals/", views.GoalList.as_view(), name="goals"),
    path("v1/engagements/<int:pk>/sessions/", views.SessionList.as_view(), name="sessions"),
    path("v1/engagements/<int:pk>/commitments/", views.CommitmentList.as_view(), name="commitments"),
    path("v1/engagements/<int:pk>/practice-logs/", views.PracticeLogList.as_view(), name="practice_logs"),
    path("v1/engagements/<int:pk>/reflections/", views.ReflectionList.as_view(), name="reflections"),
    path("v1/engagements/<int:pk>/stakeholders/", views.StakeholderList.as_view(), name="stakeholders"),
    path("v1/engagements/<int:pk>/rounds/", views.RoundList.as_view(), name="rounds"),
    path("v1/engagements/<int:pk>/summary/", views.Summary.as_view(), name="summary"),
    path("v1/sessions/<int:pk>/", views.SessionDetail.as_view(), name="session"),
    path("v1/sessions/<int:pk>/move/", views.SessionMove.as_view(), name="session_move"),
    path("v1/sessions/<int:pk>/cancel/", views.SessionCancel.as_view(), name="session_cancel"),
    path("v1/sessions/<int:pk>/outcome/", views.SessionOutcome.as_view(), name="session_outcome"),
    path("v1/sessions/<int:pk>/agenda/", views.AgendaList.as_view(), name="agenda"),
    path("v1/commitments/<int:pk>/practice-logs/", views.PracticeLogCreate.as_view(), name="practice_log_create"),
    path("v1/rounds/<int:pk>/results/", views.RoundResults.as_view(), name="round_results"),
    # Anything else under /api/ (an id that is not a number, a path that does not exist) is a JSON 404.
    re_path(r"^", views.not_found),
]
