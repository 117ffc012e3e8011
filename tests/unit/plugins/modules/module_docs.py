"""What a module documents it returns (its RETURN block), to check a result against it."""

from __future__ import annotations

import yaml

# Return values that doc fragments add (plugins/doc_fragments).
FRAGMENT_KEYS = {"hubfix.aws.regions": {"regions"}}


def always_returned(module):
    """The top-level RETURN keys a successful run always returns (``returned: always`` or ``success``)."""
    doc = yaml.safe_load(module.RETURN) or {}
    keys = set()
    for name in doc.pop("extends_documentation_fragment", None) or []:
        keys |= FRAGMENT_KEYS.get(name, set())
    keys |= {key for key, spec in doc.items() if str((spec or {}).get("returned", "")).strip() in ("always", "success")}
    return keys


def assert_documented_result(module, result):
    """Every value the module documents as always returned is in ``result``."""
    missing = always_returned(module) - set(result)
    assert not missing, "%s result lacks documented key(s) %s" % (module.__name__, sorted(missing))
