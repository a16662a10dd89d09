"""The video app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "video.room_open": _("Video room opened"),
        "video.room_close": _("Video room closed"),
        "video.recording_start": _("Recording started"),
        "video.recording_stop": _("Recording stopped"),
        "video.recording_store": _("Recording stored"),
        "video.meeting_create": _("Meeting created"),
        "video.meeting_end": _("Meeting ended"),
    },
    resource_types={
        "VideoRoom": _("Video room"),
        "VideoRecording": _("Video recording"),
        "Meeting": _("Meeting"),
    },
)
