"""Named fidelity patches that close moto 5.2.x gaps hiding AWS behaviour hubfix.aws depends on.

Each patch module defines ``NAME``, ``AWS_BEHAVIOUR`` (what real AWS does, with the API reference) and
``apply()``, which patches moto in place and returns a callable that undoes it. ``apply_all()`` is what
``python -m tests.simulator serve`` and the in-process tests use.
"""

from __future__ import annotations

import importlib
import pkgutil

# Every module in this package is a patch, applied in name order (names start with the service).
PATCH_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def apply(name: str):
    """Apply one patch by module name; returns its undo callable."""
    return load(name).apply()


def apply_all() -> list:
    return [apply(name) for name in PATCH_MODULES]


def describe() -> list[dict]:
    return [{"name": load(n).NAME, "module": n, "aws_behaviour": load(n).AWS_BEHAVIOUR} for n in PATCH_MODULES]
