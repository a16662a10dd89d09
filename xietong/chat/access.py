"""Who may take part in a thread is decided by whoever owns its subject. The owning app
registers a policy for its subject type from AppConfig.ready(); a subject type nobody
registered admits nobody.

The owner may also say which patient a subject is about (`patient`: the patient's id, or
None): reading or writing such a thread is then audited against that patient, as a read of
their record would be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xietong.core.actor import Actor

AccessPolicy = Callable[[Actor, str], bool]
PatientOf = Callable[[str], int | None]


@dataclass(frozen=True)
class ThreadSubject:
    policy: AccessPolicy
    patient: PatientOf | None = None


_subjects: dict[str, ThreadSubject] = {}


def thread_access_register(
    subject_type: str, policy: AccessPolicy, *, patient: PatientOf | None = None
) -> None:
    _subjects[subject_type] = ThreadSubject(policy, patient)


def thread_access_unregister(subject_type: str) -> None:
    """For tests that register a policy of their own."""
    _subjects.pop(subject_type, None)


def thread_access_allows(actor: Actor, subject_type: str, subject_id: str) -> bool:
    subject = _subjects.get(subject_type)
    if subject is None:
        return False
    return bool(subject.policy(actor, subject_id))


def thread_subject_patient_id(*, subject_type: str, subject_id: str) -> int | None:
    subject = _subjects.get(subject_type)
    if subject is None or subject.patient is None:
        return None
    return subject.patient(subject_id)
