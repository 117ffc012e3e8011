# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Token-less (IMDSv1) metadata calls found in launch configuration user data: decoding, MIME parts, the line rules."""

from __future__ import annotations

import base64
import gzip
import random

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils.user_data_scan import decode_user_data, evidence_summary, imdsv1_calls, script_parts

GARBAGE = random.Random(0)
TOKEN = 'TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")\n'


def b64(data):
    return base64.b64encode(data.encode("utf-8") if isinstance(data, str) else data).decode("ascii")


def lines(value):
    return [(c["part"], c["line"]) for c in imdsv1_calls(value)]


def test_plain_base64_script_without_token():
    script = "#!/bin/bash\nset -e\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\necho $ID\n"
    assert imdsv1_calls(b64(script)) == [
        {
            "part": "user data",
            "line": 3,
            "text": "ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)",
            "reason": "metadata endpoint 169.254.169.254 called without X-aws-ec2-metadata-token",
        }
    ]


def test_plain_base64_script_with_token():
    script = '#!/bin/bash\n%scurl -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id\n' % TOKEN
    assert imdsv1_calls(b64(script)) == []


def test_second_call_without_header_still_counts():
    script = "#!/bin/bash\n%sREGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)\n" % TOKEN
    assert lines(b64(script)) == [("user data", 3)]


def test_gzip_then_base64():
    script = "#!/bin/bash\ncurl http://instance-data/latest/meta-data/local-ipv4\ncat /run/cloud-init/instance-data.json\n"
    value = base64.b64encode(gzip.compress(script.encode())).decode()
    assert decode_user_data(value) == script
    assert [c["reason"] for c in imdsv1_calls(value)] == ["metadata endpoint instance-data called without X-aws-ec2-metadata-token"]


MIME = """Content-Type: multipart/mixed; boundary="==BOUNDARY=="
MIME-Version: 1.0

--==BOUNDARY==
Content-Type: text/cloud-config; charset="us-ascii"

#cloud-config
runcmd:
  - curl -s http://169.254.169.254/latest/meta-data/instance-id > /etc/instance-id
  - [ sh, -c, "ec2metadata --instance-id" ]

--==BOUNDARY==
Content-Type: text/x-shellscript
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="setup.sh"

%s
--==BOUNDARY==--
"""


def test_mime_multipart_with_gzip_base64_part_and_cloud_config():
    shell = "#!/bin/bash\n\necho start\nwget -qO- http://169.254.169.254/latest/user-data\n"
    text = MIME % base64.encodebytes(gzip.compress(shell.encode())).decode()
    parts = script_parts(decode_user_data(b64(text)))
    assert [label for label, unused in parts] == ["part 1 (text/cloud-config)", "part 2 (setup.sh)"]
    assert parts[1][1] == shell
    calls = imdsv1_calls(b64(text))
    assert [(c["part"], c["line"], c["reason"].split()[0]) for c in calls] == [
        ("part 1 (text/cloud-config)", 3, "metadata"),
        ("part 1 (text/cloud-config)", 4, "ec2metadata"),
        ("part 2 (setup.sh)", 4, "metadata"),
    ]
    assert evidence_summary(calls) == (
        "user data calls the instance metadata service without a token (3 lines, first: part 1 (text/cloud-config) line 3: "
        "- curl -s http://169.254.169.254/latest/meta-data/instance-id > /etc/instance-id)"
    )


def test_line_continuations_join_and_keep_first_line_number():
    script = (
        "#!/bin/bash\ncurl -s \\\n  --retry 3 \\\n  http://169.254.169.254/latest/meta-data/ami-id\n"
        "curl -s \\\n  -H 'X-aws-ec2-metadata-token: x' \\\n  http://169.254.169.254/\n"
    )
    calls = imdsv1_calls(script)
    assert [(c["line"], c["text"]) for c in calls] == [(2, "curl -s --retry 3 http://169.254.169.254/latest/meta-data/ami-id")]


@pytest.mark.parametrize(
    "script,expected",
    [
        ("#!/bin/bash\nID=$(ec2-metadata -i | cut -d' ' -f2)\n", [2]),
        ("#!/bin/bash\n/usr/bin/ec2metadata --availability-zone\n", [2]),
        ("#!/bin/bash\n%sID=$(ec2-metadata -i)\n" % TOKEN, []),  # a token is requested in this part
        ("#!/bin/bash\nmkdir -p /var/cache/my-ec2-metadata-cache\ncp ec2-metadata.conf /etc/\n", []),
        ("#!/bin/bash\n# ec2-metadata -i\n", []),
    ],
)
def test_tools(script, expected):
    assert [c["line"] for c in imdsv1_calls(b64(script))] == expected


def test_comments_ignored():
    script = "#!/bin/bash\n# curl http://169.254.169.254/latest/meta-data/\n    # wget http://169.254.169.254/ \\\ncurl http://example.com\n"
    assert imdsv1_calls(b64(script)) == []


def test_ipv6_endpoint():
    script = "#!/bin/bash\ncurl -s http://[fd00:ec2::254]/latest/meta-data/instance-id\n"
    assert [c["reason"] for c in imdsv1_calls(b64(script))] == ["metadata endpoint fd00:ec2::254 called without X-aws-ec2-metadata-token"]


def test_python_and_powershell_follow_the_line_rule():
    script = (
        "<powershell>\n"
        '$t = Invoke-RestMethod -Method Put -Uri http://169.254.169.254/latest/api/token -Headers @{"X-aws-ec2-metadata-token-ttl-seconds" = "60"}\n'
        'Invoke-RestMethod -Uri http://169.254.169.254/latest/meta-data/instance-id -Headers @{"X-aws-ec2-metadata-token" = $t}\n'
        "Invoke-RestMethod -Uri http://169.254.169.254/latest/meta-data/hostname\n"
        "</powershell>\n"
        "python3 -c 'import requests; requests.get(\"http://169.254.169.254/latest/meta-data/\")'\n"
    )
    assert [c["line"] for c in imdsv1_calls(b64(script))] == [4, 6]


def test_plain_text_that_is_not_base64():
    script = "#!/bin/bash\ncurl http://169.254.169.254/latest/meta-data/instance-id\n"
    assert decode_user_data(script) == script
    assert lines(script) == [("user data", 2)]


def test_long_lines_are_cut_to_200_characters():
    script = "curl http://169.254.169.254/latest/meta-data/%s\n" % ("x" * 300)
    assert len(imdsv1_calls(script)[0]["text"]) == 200


@pytest.mark.parametrize("value", [None, "", b""])
def test_empty_user_data(value):
    assert imdsv1_calls(value) == []
    assert evidence_summary(imdsv1_calls(value)) is None


@pytest.mark.parametrize(
    "value",
    [
        GARBAGE.randbytes(2048),
        b64(GARBAGE.randbytes(2048)),
        b64(b"\x1f\x8b" + GARBAGE.randbytes(500)),  # gzip magic, corrupt stream
        b64("Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\n!!!not base64\n"),
        "MIME-Version: 1.0\n\n\x00\xff",
    ],
)
def test_garbage_does_not_raise(value):
    assert isinstance(imdsv1_calls(value), list)


def test_summary_for_one_call():
    calls = [{"part": "user data", "line": 2, "text": "curl http://169.254.169.254/", "reason": "r"}]
    assert (
        evidence_summary(calls)
        == "user data calls the instance metadata service without a token (1 line, first: user data line 2: curl http://169.254.169.254/)"
    )
