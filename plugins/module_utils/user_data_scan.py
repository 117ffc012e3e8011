# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Evidence in a launch configuration's user data that the group's software calls the instance metadata service without
a token (IMDSv1), which stops working once the launch template requires IMDSv2 (HttpTokens=required).

The user data is read as DescribeLaunchConfigurations returns it (base64, possibly gzip, possibly a MIME multipart
message as cloud-init takes it) and scanned line by line: a line that names the metadata endpoint without the
``X-aws-ec2-metadata-token`` header, or runs the ``ec2-metadata`` / ``ec2metadata`` tools in a part that never requests
a token, is evidence. It is a heuristic for a report, not a proof either way: a header passed in a variable is not seen,
and software installed by the script is not read."""

from __future__ import annotations

import base64
import email
import gzip
import re

GZIP_MAGIC = b"\x1f\x8b"
MAX_TEXT = 200
TOKEN_HEADER = "x-aws-ec2-metadata-token"

# (name in the reason, pattern) for the metadata endpoint; the first that matches names it.
ENDPOINTS = (
    ("169.254.169.254", re.compile(r"(?<![\d.])169\.254\.169\.254(?!\d)")),
    ("fd00:ec2::254", re.compile(r"fd00:ec2::254(?![\da-f:])", re.IGNORECASE)),
    # The host name in a URL (http://instance-data/..., instance-data.ec2.internal), not cloud-init's instance-data.json.
    (
        "instance-data",
        re.compile(r"(?:(?<=://)|(?<![^\s'\"=(]))instance-data(?:\.ec2\.internal)?(?=/|:\d|[\s'\")]|$)", re.IGNORECASE),
    ),
)
# The helper tools as a command word (also /usr/bin/ec2-metadata), not inside my-ec2-metadata-cache or ec2-metadata.conf.
TOOL = re.compile(r"(?<![\w.-])(ec2-?metadata)(?![\w./-])")
TOKEN_PUT = re.compile(r"PUT|\b[Pp]ut\b")
# Control characters that plain text (scripts, cloud-config) does not contain.
BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _gunzip(data):
    """``data`` decompressed when it starts with the gzip magic and decompresses; otherwise unchanged."""
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except Exception:  # BadGzipFile, EOFError, zlib.error: corrupt data is scanned as it is
        return data


def _text(data):
    """``data`` as UTF-8 when it is text, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if BINARY.search(text) else text


def decode_user_data(value):
    """The user data as text: ``value`` is base64 (as DescribeLaunchConfigurations returns it) or already plain text.

    Base64 that decodes to gzip is decompressed; a value that is not base64, or whose decoding is not text, is taken as
    plain text (itself gunzipped when bytes start with the gzip magic). Undecodable bytes become U+FFFD; never raises.
    """
    if not value:
        return ""
    raw = value if isinstance(value, (bytes, bytearray)) else str(value).encode("utf-8", errors="replace")
    raw = bytes(raw)
    try:
        decoded = _gunzip(base64.b64decode(b"".join(raw.split()), validate=True))
    except ValueError:  # binascii.Error: not base64
        decoded = None
    text = _text(decoded) if decoded else None
    if text is not None:
        return text
    return _gunzip(raw).decode("utf-8", errors="replace")


def _is_mime(text):
    head = text.lstrip()[:40].lower()
    return head.startswith("content-type: multipart/") or head.startswith("mime-version:")


def script_parts(text):
    """``[(label, text)]``: every non-multipart part of a MIME user data message, decoded by its Content-Transfer-Encoding
    and gunzipped (label ``part N (filename or content type)``); for anything else ``[("user data", text)]``."""
    text = text or ""
    if not _is_mime(text):
        return [("user data", text)]
    # Parsed from bytes so that 8bit parts come back as their UTF-8 bytes.
    message = email.message_from_bytes(text.encode("utf-8", errors="replace"))
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        label = "part %d (%s)" % (len(parts) + 1, part.get_filename() or part.get_content_type())
        parts.append((label, _gunzip(payload).decode("utf-8", errors="replace")))
    return parts or [("user data", text)]


def _logical_lines(text):
    """``(first line number, line)`` with shell continuations (trailing backslash) joined; comments are not continued."""
    lines = []
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            current = [number, line]
        else:
            current[1] += " " + line.strip()
        if current[1].rstrip().endswith("\\") and not current[1].lstrip().startswith("#"):
            current[1] = current[1].rstrip()[:-1].rstrip()
            continue
        lines.append(tuple(current))
        current = None
    if current is not None:
        lines.append(tuple(current))
    return lines


def _is_token_request(line):
    return "api/token" in line.lower() and TOKEN_PUT.search(line) is not None


def _reason(line, token_requested):
    """Why ``line`` is a token-less metadata call, or None."""
    if TOKEN_HEADER in line.lower() or _is_token_request(line):
        return None
    for name, pattern in ENDPOINTS:
        if pattern.search(line):
            return "metadata endpoint %s called without X-aws-ec2-metadata-token" % name
    tool = TOOL.search(line)
    if tool and not token_requested:
        return "%s tool called and no IMDSv2 token requested in this part" % tool.group(1)
    return None


def _shorten(line):
    line = line.strip()
    return line if len(line) <= MAX_TEXT else line[: MAX_TEXT - 3] + "..."


def imdsv1_calls(value):
    """Evidence of token-less metadata calls in user data ``value`` (see ``decode_user_data``), one dict a line:
    ``{"part", "line" (1-based, first physical line), "text" (at most 200 characters), "reason"}``."""
    calls = []
    for label, text in script_parts(decode_user_data(value)):
        lines = [(n, line) for n, line in _logical_lines(text) if not line.lstrip().startswith("#")]
        token_requested = any(_is_token_request(line) for unused, line in lines)
        for number, line in lines:
            reason = _reason(line, token_requested)
            if reason:
                calls.append({"part": label, "line": number, "text": _shorten(line), "reason": reason})
    return calls


def evidence_summary(calls):
    """One sentence for a report about ``imdsv1_calls`` evidence, or None when there is none."""
    if not calls:
        return None
    first = calls[0]
    return "user data calls the instance metadata service without a token (%d line%s, first: %s line %d: %s)" % (
        len(calls),
        "" if len(calls) == 1 else "s",
        first["part"],
        first["line"],
        first["text"],
    )
