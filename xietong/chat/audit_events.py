"""The chat app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "chat_message.create": _("Chat message sent"),
        "chat_thread.read": _("Chat opened"),
        "chat_attachment.read": _("Chat attachment opened"),
    },
    resource_types={
        "ChatMessage": _("Chat message"),
        "ChatThread": _("Chat"),
        "ChatAttachment": _("Chat attachment"),
    },
)
