"""Background work of video (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from xietong.core.tasks_lease import task_lease_register

from .conversion import room_recording_convert


@task()
def recording_convert_task(room_id: int) -> str:
    """Converts a room's raw recordings; the room shows the outcome (video/conversion.py)."""
    return room_recording_convert(room_id=room_id)


# The worker renews the lease while the tools run; a lost conversion is run again.
task_lease_register(recording_convert_task)
