"""Settings kept as rows and changed in Django's admin (which experts take part, which
institutions send patients to which, a centre's settings, admin groups, sign-in locks)
decide who gets to see patients' data. `AuditedAdmin` makes every save and delete there go
through these services, which write the audit record in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .actor import Actor
from .audit import audit_record
from .audit_vocabulary import audit_model_resource_type


def request_actor(request: HttpRequest) -> Actor:
    """Who acts in an admin request: the membership they act through, or the account alone
    (an administrator of the platform need not be a member of any institution)."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is not None:
        return actor
    user = request.user
    return Actor(user_id=int(user.pk or 0), username=user.get_username())


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if not isinstance(field, models.Field) or field.many_to_many:
        return None
    return field.value_from_object(instance)


def _jsonable(value: Any) -> Any:
    return (
        value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    )


def admin_record_save(
    *, actor: Actor, instance: models.Model, changed: Iterable[str], created: bool
) -> None:
    """Saves a row an admin form prepared; the record keeps each changed field's old and new
    value."""
    names = [n for n in changed if not instance._meta.get_field(n).many_to_many]
    with transaction.atomic():
        stored = None if created else type(instance)._default_manager.filter(pk=instance.pk).first()
        instance.save()
        fields = {
            n: {"from": _jsonable(_value(stored, n)) if stored else None,
                "to": _jsonable(_value(instance, n))}
            for n in names
        }  # fmt: skip
        audit_record(
            actor=actor,
            action="admin.create" if created else "admin.update",
            resource_type=audit_model_resource_type(type(instance)),
            resource_id=instance.pk,
            detail={"object": str(instance)[:200], "fields": fields},
        )


def admin_record_delete(*, actor: Actor, instance: models.Model) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="admin.delete",
            resource_type=audit_model_resource_type(type(instance)),
            resource_id=instance.pk,
            detail={"object": str(instance)[:200]},
        )
        instance.delete()


def admin_relations_record(*, actor: Actor, instance: models.Model, names: Iterable[str]) -> None:
    """Records the many-to-many values (a group's permissions) the form has just saved, in
    the admin's transaction."""
    values = {
        n: sorted(str(o) for o in getattr(instance, n).all())
        for n in names
        if instance._meta.get_field(n).many_to_many
    }
    if values:
        audit_record(
            actor=actor,
            action="admin.update",
            resource_type=audit_model_resource_type(type(instance)),
            resource_id=instance.pk,
            detail={"object": str(instance)[:200], "relations": values},
        )


class AuditedAdmin(admin.ModelAdmin[Any]):
    """A ModelAdmin whose saves and deletes (list edits and bulk deletes included) are the
    audited services above."""

    def __init__(self, model: type[Any], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        # Known to the audit viewer's filter before the first change is made.
        audit_model_resource_type(model)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        admin_record_save(actor=request_actor(request), instance=obj,
                          changed=form.changed_data, created=not change)  # fmt: skip

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        admin_relations_record(actor=request_actor(request), instance=form.instance,
                               names=form.changed_data)  # fmt: skip

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (an expert on a practitioner's page) go through the same services.
        actor = request_actor(request)
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            admin_record_delete(actor=actor, instance=obj)
        for obj in formset.new_objects:
            names = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
            admin_record_save(actor=actor, instance=obj, changed=names, created=True)
        for obj, names in formset.changed_objects:
            admin_record_save(actor=actor, instance=obj, changed=names, created=False)
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_record_delete(actor=request_actor(request), instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                admin_record_delete(actor=request_actor(request), instance=obj)
