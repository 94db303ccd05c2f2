"""Handing freed memory back to the system.

Freed memory goes back to the C allocator, not to the system: glibc keeps it in the
heap until asked. :func:`release_freed_memory` asks (``malloc_trim``) once start-up is
over, so what importing and migrating used and let go does not stay resident.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc


def release_freed_memory() -> bool:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``); whether
    it could (other C libraries have no such call, and then nothing happens)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return False
    trim(0)
    return True
