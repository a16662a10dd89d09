"""Benchmark: how long one password check takes with Django's default argon2 parameters
and with ours (docs/adr/0016-request-cost.md).

    ./xt bench passwords [--checks 20]

Signing an opinion checks the password again, so this cost is paid inside a request. Prints
the median and p95 wall time and the CPU time of one check for each, and one JSON line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, json_line, machine_print, percentile

PASSWORD = "Bench-Secret-2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checks", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from xietong.accounts.hashers import OwaspArgon2PasswordHasher

    machine = machine_print()
    payload: dict[str, object] = {"bench": "passwords", **machine}
    hasher_by_name = {
        "django_default": Argon2PasswordHasher(),
        "owasp_minimum": OwaspArgon2PasswordHasher(),
    }
    for name, hasher in hasher_by_name.items():
        encoded = hasher.encode(PASSWORD, hasher.salt())
        walls, cpus = [], []
        for _ in range(args.checks):
            wall, cpu = time.perf_counter(), time.process_time()
            assert hasher.verify(PASSWORD, encoded)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        params = hasher.params()  # type: ignore[attr-defined]  # not in the stubs
        print(
            f"{name:<16} m={params.memory_cost} KiB t={params.time_cost} "
            f"p={params.parallelism}: one check p50 {percentile(walls, 50):.1f} ms, "
            f"p95 {percentile(walls, 95):.1f} ms, CPU {percentile(cpus, 50):.1f} ms"
        )
        payload[f"{name}_check_p50_ms"] = round(percentile(walls, 50), 2)
        payload[f"{name}_check_cpu_ms"] = round(percentile(cpus, 50), 2)
    json_line(payload)


if __name__ == "__main__":
    main()
