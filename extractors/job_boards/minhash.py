"""MinHash values of a set of shingles, exactly as datasketch computes them, without building a
`datasketch.MinHash` per ad (its 128 seeded permutations alone cost more than the rest of the ad).
Used by `extractors.job_boards.normalize.description_minhash`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

try:  # CPython's own SHA-1: the same digest, less call overhead than OpenSSL's on 9-byte inputs
    from _sha1 import sha1
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import sha1

MINHASH_PERMUTATIONS = 128
MINHASH_SEED = 20250305


@lru_cache(maxsize=1)
def _minhash_permutations() -> tuple[Any, Any]:
    import numpy as np

    # datasketch 2's default "affine32" scheme: a_k odd, b_k, drawn from the legacy seeded generator
    gen = np.random.RandomState(MINHASH_SEED)
    a = gen.randint(0, 1 << 31, MINHASH_PERMUTATIONS, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, MINHASH_PERMUTATIONS, dtype=np.uint32)
    return a, b


def minhash_values(shingles: Iterable[bytes]) -> Any:
    """The 128 uint32 hash values `datasketch.MinHash(num_perm=128, seed=MINHASH_SEED)` holds after
    `update_batch(shingles)` (scheme affine32: sha1's first 4 bytes little-endian, the murmur3
    finaliser, then a_k*h + b_k mod 2^32, minimum per k), without building a MinHash per ad, whose
    permutations alone cost more than the rest of the ad. tests/test_extractors_privacy.py checks
    the values equal datasketch's, so a datasketch upgrade that changes them fails there."""
    import numpy as np

    a, b = _minhash_permutations()
    digests = b"".join([sha1(shingle).digest()[:4] for shingle in shingles])
    hv = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    hv = hv ^ (hv >> np.uint32(16))
    return (hv[:, None] * a + b).min(axis=0)
