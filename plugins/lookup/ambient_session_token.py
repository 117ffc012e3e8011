# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ambient_session_token
short_description: The session token of the ambient AWS credentials that amazon.aws would not read by itself
version_added: 0.4.0
description:
  - amazon.aws reads C(AWS_SESSION_TOKEN) only; AWX / Tower's "Amazon Web Services" credential injects C(AWS_SECURITY_TOKEN)
    (newer AWX both). This lookup returns C(AWS_SECURITY_TOKEN) when C(AWS_SESSION_TOKEN) and C(AWS_PROFILE) are not set,
    else an empty string, so that the roles can pass the token on and temporary ambient credentials keep working.
  - Read from the controller's environment (where C(ansible-playbook) runs). Takes no terms.
author:
  - hubfix.aws maintainers (@hubfix)
"""

EXAMPLES = r"""
- name: Identify the ambient account with the token AWX injected
  amazon.aws.aws_caller_info:
    session_token: "{{ lookup('hubfix.aws.ambient_session_token') | default(omit, true) }}"
"""

RETURN = r"""
_raw:
  description: One string, the token or empty.
  type: list
  elements: str
"""


import os

from ansible.plugins.lookup import LookupBase

from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ambient_session_token


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [ambient_session_token(os.environ)]
