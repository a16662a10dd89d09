import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
application = get_wsgi_application()

from xietong.core.warmup import server_warm  # noqa: E402

# Before the web processes fork from gunicorn's master (preload_app): they start warm.
server_warm(pdf_in_background=False)
