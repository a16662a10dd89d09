import os
import warnings

from django.core.asgi import get_asgi_application

# The embedded server (./xt demo) serves static files and file downloads through Django under
# ASGI, which reads their (synchronous) file iterators in a thread and warns once per
# process that it does. That is the intended cost here; the warning only cluttered the
# serving log. Production serves pages through gunicorn (WSGI) when Redis is configured.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    category=Warning,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.websockets import websocket_urlpatterns  # noqa: E402
from xietong.core.warmup import server_warm  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
server_warm(pdf_in_background=True)
