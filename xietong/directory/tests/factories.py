from __future__ import annotations

import factory

from xietong.directory.models import (
    CollaborationLink,
    Department,
    Expert,
    Institution,
    Practitioner,
    Region,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{410000 + n:06d}")
    name = factory.Sequence(lambda n: f"Region {n}")
    level = "county"
    parent = None
    path = factory.LazyAttribute(lambda r: (r.parent.path if r.parent else "") + f"{r.code}/")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"INST{n:05d}")
    name = factory.Sequence(lambda n: f"Institution {n}")
    level = "county"
    kind = "hospital"
    grade = "2A"
    region = factory.SubFactory(RegionFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"科室{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    name = factory.Sequence(lambda n: f"医生{n}")
    sex = "M"
    institution = factory.SubFactory(InstitutionFactory)
    department = factory.SubFactory(DepartmentFactory)
    title = "attending"
    practising_since = 2010


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    practitioner = factory.SubFactory(PractitionerFactory, title="chief")
    accepts = factory.LazyFunction(lambda: ["consultation"])


class CollaborationLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollaborationLink

    provider = factory.SubFactory(InstitutionFactory, level="provincial")
    client = factory.SubFactory(InstitutionFactory)
    service = "consultation"
