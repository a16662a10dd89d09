"""The password hash: argon2id at the OWASP minimum rather than Django's heavier default
(docs/adr/0016-request-cost.md)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """argon2id with 19 MiB of memory, two passes and one lane: one of the settings OWASP's
    password storage guidance names as its minimum. Django's default (100 MiB, eight lanes)
    took about ten times as long on our servers, and signing an opinion checks the password
    again, so it was a third of a consultation's CPU.

    The algorithm keeps Django's name, so every stored argon2 hash still verifies (a hash
    carries its own parameters) and a hash made with other parameters is made again with
    these at the next right password (`must_update`, on sign-in or a re-check)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
