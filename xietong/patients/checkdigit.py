"""The GB 11643 check character on its own, without Django, so that the batch linker of the
master patient index (xietong/mpi) computes it with the very weights registration uses."""

from __future__ import annotations

# ISO 7064 MOD 11-2: the weight of each of the first 17 digits, and the character a
# remainder (sum of weighted digits mod 11) stands for.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]
