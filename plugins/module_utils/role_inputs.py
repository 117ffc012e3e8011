# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A role's inputs as the role works with them, whatever form they came in.

AWX surveys send every answer as a string (``"false"``, ``"5"``, a newline-separated list). Role argument specs only
*validate* (``"false"`` passes as a bool and stays the truthy string), and extra vars cannot be overwritten by facts, so
the roles read their inputs from one converted copy (``<role>__args``) made here from the argument spec:
booleans, integers, lists (comma- or newline-separated strings) and dicts (JSON text) become real values, and a value
that cannot be converted fails naming the variable, the value and what is expected.

A variable with one of the collection's prefixes that no argument spec declares is a typo: it fails before any AWS call,
naming the closest known name.
"""

from __future__ import annotations

import difflib
import json

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hubfix.aws.plugins.module_utils.claims import run_id_problem
from ansible_collections.hubfix.aws.plugins.module_utils.controls import validate_controls
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionError, check_known_regions, parse_regions

PREFIXES = ("audit_", "autoscaling_imdsv2_", "pv_to_hvm_", "hubfix_", "accounts_")

# Variables the roles publish (documented in their READMEs): not inputs, but not typos either.
OUTPUTS = frozenset(
    [
        "audit_result",
        "autoscaling_imdsv2_result",
        "pv_to_hvm_report",
        "pv_to_hvm_replacement",
        "hubfix_accounts_resolved",
        "hubfix_accounts_status",
        "hubfix_aws_credentials",
        "hubfix_run",
        "hubfix_resource",  # host var of the hubfix.aws.findings inventory
    ]
)


# Lists with a fixed set of values, checked here instead of by ``choices`` in the argument spec: Ansible validates the spec
# before the role's first task, and would refuse "EC2.24, AutoScaling.3" or one value per line (an AWX multiple choice).
def _run_id(value):
    """A run id given by the user (it names the report directory and goes into tags), or None for a new one."""
    problem = value and run_id_problem(value)
    if problem:
        raise ValueError(problem)
    return value or None


DELETE_WHEN = ("after_proof", "immediately", "never")


def _delete_when(value):
    """``autoscaling_imdsv2_delete_launch_configurations``: after_proof | immediately | never; the booleans of before 0.3.0
    (also as survey strings) mean immediately / never."""
    text = str(value).strip().lower()
    if text in DELETE_WHEN:
        return text
    if text in ("true", "yes", "on", "1"):
        return "immediately"
    if text in ("false", "no", "off", "0"):
        return "never"
    raise ValueError("%r is not one of %s (or true/false)" % (value, ", ".join(DELETE_WHEN)))


VALUE_CHECKS = {
    "audit_controls": validate_controls,
    "hubfix_run_id": _run_id,
    "pv_to_hvm_run_id": _run_id,
    "autoscaling_imdsv2_delete_launch_configurations": _delete_when,
}

TYPE_WORDS = {"bool": "true or false", "int": "a whole number", "list": "a list (or a comma- or newline-separated string)", "dict": "a dict (or JSON text)"}


class InputProblem(ValueError):
    """Bad role input; the message names every bad variable, one line each."""


def _split(text):
    return [part.strip() for part in str(text).replace("\n", ",").split(",") if part.strip()]


def regions_input(name, value):
    """A ``*_regions`` input by the one region rule: ``None`` (the connection's region), ``"all"`` or a list of names
    known to AWS's endpoint data (checked without any AWS call)."""
    try:
        parsed = parse_regions(value)
        return check_known_regions(parsed) if isinstance(parsed, list) else parsed
    except RegionError as e:
        raise InputProblem("%s: %s" % (name, e)) from e


def _prepare(name, value, option):
    """The value in a form ArgumentSpecValidator converts the way an AWX survey user means it."""
    kind = option.get("type", "str")
    if kind == "list" and isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except ValueError as e:
                raise InputProblem("%s: %r is not a JSON list (%s)" % (name, value, e)) from e
        return _split(value)
    if kind == "dict" and isinstance(value, str) and not value.strip():
        return {}
    return value


def _plain(option):
    """An argument spec option without its documentation keys (ArgumentSpecValidator takes only the checks)."""
    out = {k: v for k, v in option.items() if k not in ("description", "version_added", "options")}
    if option.get("options"):
        out["options"] = {name: _plain(sub) for name, sub in option["options"].items()}
    return out


def _expected(option):
    if option.get("choices"):
        return "one of " + ", ".join(map(str, option["choices"]))
    return TYPE_WORDS.get(option.get("type"), "a %s" % option.get("type", "value"))


def convert(spec_options, given):
    """``given`` ({name: value} of the variables set) validated and converted by ``spec_options`` (an argument spec's
    ``options``), with the defaults of the ones not set. Raises ``InputProblem`` with one line per bad input, naming it,
    its value and what is expected."""
    problems, values = [], {}
    for name, value in given.items():
        option = spec_options.get(name)
        if option is None:
            continue
        try:
            if name.endswith("regions"):
                values[name] = regions_input(name, value)
                continue
            value = _prepare(name, value, option)
        except InputProblem as e:
            problems.append(str(e))
            continue
        result = ArgumentSpecValidator({name: _plain(option)}).validate({name: value})
        if result.error_messages:
            detail = "; ".join(result.error_messages)
            problems.append("%s: %r is not valid, expected %s (%s)" % (name, given[name], _expected(option), detail))
            continue
        values[name] = result.validated_parameters[name]
        if name in VALUE_CHECKS:
            try:
                values[name] = VALUE_CHECKS[name](values[name])
            except ValueError as e:
                problems.append("%s: %s" % (name, e))
    if problems:
        raise InputProblem("\n".join(problems))
    defaults = ArgumentSpecValidator({name: _plain(option) for name, option in spec_options.items() if name not in values}).validate({})
    return dict(defaults.validated_parameters, **values)


def closest(name, known):
    match = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return match[0] if match else None


def unknown_names(names, known):
    """``[(name, closest known name or None)]`` for the collection-prefixed names that are neither inputs nor outputs."""
    out = []
    for name in sorted(names):
        if not name.startswith(PREFIXES) or "__" in name or name in known or name in OUTPUTS:
            continue
        out.append((name, closest(name, known)))
    return out


def unknown_message(unknown):
    lines = ["%s is not a hubfix.aws variable%s" % (name, "; did you mean %s?" % near if near else "") for name, near in unknown]
    return "\n".join(lines)
