"""The Celery application. Tasks live in each app's `tasks.py`; the beat schedule is static.

Tasks run on two queues (`CELERY_TASK_ROUTES` in settings): "clock" for the minute tick and the
feedback round opener, "mail" for every send. A worker of its own on "clock" (`-Q clock`) keeps the
tick on time however many e-mails wait on "mail".
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coaching.settings")

app = Celery("coaching")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
