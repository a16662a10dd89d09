"""Who may take part in a thread is decided by whoever owns its subject. The owning app
registers a policy for its subject type from AppConfig.ready(); a subject type nobody
registered admits nobody."""

from __future__ import annotations

from collections.abc import Callable

from xietong.core.actor import Actor

AccessPolicy = Callable[[Actor, str], bool]
_policies: dict[str, AccessPolicy] = {}


def thread_access_register(subject_type: str, policy: AccessPolicy) -> None:
    _policies[subject_type] = policy


def thread_access_unregister(subject_type: str) -> None:
    """For tests that register a policy of their own."""
    _policies.pop(subject_type, None)


def thread_access_allows(actor: Actor, subject_type: str, subject_id: str) -> bool:
    policy = _policies.get(subject_type)
    if policy is None:
        return False
    return bool(policy(actor, subject_id))
