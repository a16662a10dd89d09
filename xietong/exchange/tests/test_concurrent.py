"""Two resends of one message at the same moment, on PostgreSQL: applied once, both answered
with the same response."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from ..models import ExchangeMessage, FhirResource
from .factories import bundle, make_gateway, observation_entry, patient_entry, push

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_resends_apply_the_message_once() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    results = [
        observation_entry(hospital, f"R{i}", {"reference": patient["fullUrl"]}) for i in range(30)
    ]
    body = bundle([patient, *results], message_id="same-message")
    answers: list[Any] = []
    start = threading.Barrier(2)

    def send() -> None:
        try:
            start.wait()
            answers.append(push(secret, body, Client()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert FhirResource.objects.count() == 31
    assert ExchangeMessage.objects.count() == 1
