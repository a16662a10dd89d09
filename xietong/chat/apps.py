from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencingConfig(AppConfig):
    name = "xietong.chat"
    # The package was `conferencing`; the label stays, so its tables, migrations and
    # content types stay where they are and no data moves.
    label = "conferencing"
    verbose_name = _("Conferencing")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.events import event_subscribe
        from xietong.core.sockets import session_sockets_connect

        from .audit_events import AUDIT_EVENTS
        from .live import on_patient_access_revoked

        # Someone who loses a patient may lose the threads about them: their open sockets
        # check again and close if refused (ADR 7).
        event_subscribe("patient.access_revoked")(on_patient_access_revoked)
        # Signing out closes every socket of the session: the chat's, and the bell's and
        # video's too (they join the same session group). The chat is the reason it must.
        session_sockets_connect()
        audit_vocabulary_register(AUDIT_EVENTS)
