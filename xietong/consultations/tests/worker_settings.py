"""Settings of a real task worker that a test starts as a process of its own
(test_filing_survives_a_killed_worker.py): the test's database, handed over as JSON in
XT_WORKER_DATABASE, tasks queued in that database, and the hook that can hold the filing."""

import json
import os
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import INSTALLED_APPS

DATABASES = {"default": json.loads(os.environ["XT_WORKER_DATABASE"])}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MEDIA_ROOT = Path(os.environ["XT_WORKER_MEDIA_ROOT"])
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Seconds, not minutes: the test waits for the killed worker's lease to run out.
XT_TASK_LEASE_SECONDS = 2
XT_TASK_RECOVER_SECONDS = 1
INSTALLED_APPS = [*INSTALLED_APPS, "xietong.consultations.tests.worker_hooks.HoldFilingConfig"]
