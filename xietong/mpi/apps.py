from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MpiConfig(AppConfig):
    name = "xietong.mpi"
    label = "mpi"
    verbose_name = _("Master patient index")
