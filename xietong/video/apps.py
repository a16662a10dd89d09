from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    name = "xietong.video"
    label = "video"
    verbose_name = _("Video")

    def ready(self) -> None:
        from xietong.core.nav import NavItem, nav_register

        from .meetings import meeting_policy_register

        # Ad-hoc meetings are this app's own subject type.
        meeting_policy_register()
        nav_register(NavItem(_("Video meetings"), "video:meetings", order=40))
