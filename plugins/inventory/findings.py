# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: findings
short_description: One host per resource failing EC2.24, AutoScaling.3 or AutoScaling.9
version_added: 0.4.0
description:
  - Audits one account, a list of accounts (O(accounts), the C(hubfix_accounts) shape) or an AWS organization
    (O(organization), the C(hubfix_organization) shape) with the same detection as the C(hubfix.aws.audit) role, and
    gives one host per failing resource, so that C(--limit), AWX inventories and job slicing split the remediation.
  - EC2.24 instances are named by instance id, AutoScaling.3 launch configurations C(lc/<account>/<region>/<name>),
    AutoScaling.9 groups C(asg/<account>/<region>/<name>).
  - "Groups: C(ec2_24), C(autoscaling_3), C(autoscaling_9), C(account_<id>), C(region_<name with _>) (C(region_us_east_1)),
    C(actionable) (a remediation playbook fixes it) and C(blocked) (a blocker, or an owner such as CloudFormation, must act first)."
  - Host var C(hubfix_resource) holds the detection record - control, account_id, region, id, name, arn, owner,
    blockers, blocked, next_action, finding_id, details. Every host also gets C(ansible_connection=local) (the API calls
    of the remediation run on the controller).
  - The config file name must end with C(findings.yml) or C(findings.yaml).
  - Accounts are scanned O(account_concurrency) at a time; an account that cannot be scanned is named in a warning and
    the others still give their hosts. The inventory fails only when every account failed.
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
options:
  plugin:
    description: Token that ensures this is a source file for the plugin.
    required: true
    choices: ['hubfix.aws.findings']
  regions:
    description:
      - The regions to audit - names, or C(all) for every region enabled in each account.
      - Empty (the default) audits the connection's region only, as the audit role does.
    type: list
    elements: str
    default: []
  controls:
    description: The controls whose failing resources become hosts.
    type: list
    elements: str
    default: [EC2.24, AutoScaling.3, AutoScaling.9]
  source:
    description:
      - C(scan) audits the accounts' resources; C(securityhub) takes the resources that Security Hub reports as FAILED
        (ACTIVE, workflow NEW or NOTIFIED) and keeps those the scan confirms.
    type: str
    choices: [scan, securityhub]
    default: scan
  accounts:
    description:
      - The accounts, each C({account_id, role_arn, external_id}) as C(hubfix_accounts); each role is assumed with the
        inventory's credentials. Empty - the credentials' own account (or O(organization)).
    type: list
    elements: dict
    default: []
  organization:
    description:
      - The accounts of an AWS organization, as C(hubfix_organization) - C({role_name, external_id, include_accounts,
        exclude_accounts, include_ous}); read with the inventory's credentials (management account or delegated
        administrator), each account assumed as C(arn:<partition>:iam::<id>:role/<role_name>).
    type: dict
    default: {}
  account_concurrency:
    description: How many accounts are scanned at a time (C(hubfix_account_concurrency) of the roles).
    type: int
    default: 8
  terraform_state_files:
    description: Terraform state files (paths or C(s3://bucket/key)) whose resources are owned by Terraform, as C(hubfix_terraform_state_files).
    type: list
    elements: str
    default: []
  owner_tags:
    description: Tag key to owner label, as C(hubfix_owner_tags).
    type: dict
    default: {}
"""

EXAMPLES = r"""
# inventory/hubfix.findings.yml - every failing resource of two regions
plugin: hubfix.aws.findings
regions: [us-east-1, eu-west-1]

---
# the whole organization, Security Hub's view, cached for an hour
plugin: hubfix.aws.findings
regions: all
source: securityhub
organization:
  role_name: HubfixAudit
  exclude_accounts: ["111122223333"]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/hubfix_inventory
cache_timeout: 3600

# then, for example:
#   ansible-inventory -i hubfix.findings.yml --graph
#   ansible-playbook -i hubfix.findings.yml hubfix.aws.remediate_ec2_24 --limit 'ec2_24:&actionable:&region_us_east_1' --check --diff
"""

import difflib

from ansible.errors import AnsibleParserError

try:
    from ansible.template import trust_as_template  # ansible-core 2.19+: inventory strings are data unless trusted
except ImportError:
    trust_as_template = None

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase
from ansible_collections.hubfix.aws.plugins.module_utils import findings_inventory as fi
from ansible_collections.hubfix.aws.plugins.module_utils import organization as org
from ansible_collections.hubfix.aws.plugins.module_utils.account_audit import scan_account
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import problems as account_problems
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import AccountScope, scan_accounts
from ansible_collections.hubfix.aws.plugins.module_utils.organization_aws import resolve as resolve_organization

SESSION_NAME = "hubfix-inventory"


class InventoryModule(AWSInventoryBase):
    NAME = "hubfix.aws.findings"
    INVENTORY_FILE_SUFFIXES = ("findings.yml", "findings.yaml")

    def _do_fail(self, message):
        raise AnsibleParserError(message)

    def _unknown_keys(self, path):
        """A misspelt key (``regoins``) would silently audit the wrong scope: refuse it, naming the closest option."""
        data = self.loader.load_from_file(path) or {}
        out = []
        for key in sorted(k for k in data if k not in self._options):
            close = difflib.get_close_matches(key, list(self._options), n=1)
            out.append("unknown option %s%s" % (key, " (did you mean %s?)" % close[0] if close else ""))
        return out

    def _config(self, path):
        config = {
            "source": self.get_option("source"),
            "controls": list(self.get_option("controls") or []),
            "accounts": list(self.get_option("accounts") or []),
            "organization": dict(self.get_option("organization") or {}),
            "account_concurrency": self.get_option("account_concurrency"),
        }
        problems = self._unknown_keys(path) + fi.config_problems(config)
        if config["accounts"]:
            problems += [p.replace("hubfix_accounts", "accounts") for p in account_problems(config["accounts"])]
        if config["organization"]:
            # the hubfix_organization rules, "not both" included, in the names of this file
            problems += [
                p.replace("hubfix_organization", "organization").replace("hubfix_accounts", "accounts")
                for p in org.problems(config["organization"], config["accounts"])
            ]
        if problems:
            self.fail_aws("%s: %s" % (self.NAME, "; ".join(problems)))
        return config

    def _accounts(self, config):
        """``[{account_id, role_arn, external_id}]``, or ``[None]`` for the credentials' own account."""
        if config["organization"]:
            resolved = resolve_organization(self.client("organizations", retry_decorator=RETRY), config["organization"])
            for skipped in resolved["not_selected"]:
                self.debug("%s: account %s not selected: %s" % (self.NAME, skipped.get("account_id"), skipped.get("reason")))
            return resolved["accounts"]
        return config["accounts"] or [None]

    def _credentials(self, account):
        if account is None:
            return {}
        params = {"RoleArn": account["role_arn"], "RoleSessionName": SESSION_NAME}
        if account.get("external_id"):
            params["ExternalId"] = str(account["external_id"])
        answer = self.client("sts", retry_decorator=RETRY).assume_role(aws_retry=True, **params)["Credentials"]
        return {
            "aws_access_key_id": answer["AccessKeyId"],
            "aws_secret_access_key": answer["SecretAccessKey"],
            "aws_session_token": answer["SessionToken"],
        }

    def _scan(self, config):
        params = {
            "regions": self.get_option("regions") or None,
            "terraform_state_files": self.get_option("terraform_state_files") or [],
            "owner_tags": self.get_option("owner_tags") or {},
        }

        def scan_one(account):
            try:
                credentials = self._credentials(account)
            except Exception as e:  # noqa: BLE001 - reported with the account, the others go on
                raise RuntimeError("cannot assume %s: %s" % (account["role_arn"], e)) from e
            scope = AccountScope(self.client, self.region, credentials, dict(params))
            return scan_account(scope, config["controls"], config["source"])[0]

        accounts = self._accounts(config)
        outcomes = scan_accounts(accounts, scan_one, config["account_concurrency"])
        failed = [(account, error) for account, _report, error in outcomes if error]
        for account, error in failed:
            self.warn("%s: account %s not scanned: %s" % (self.NAME, (account or {}).get("account_id", "of the credentials"), error))
        if outcomes and len(failed) == len(outcomes):
            self.fail_aws("%s: no account could be scanned: %s" % (self.NAME, "; ".join(error for _account, error in failed)))
        findings, assumed = [], {}
        for account, report, error in outcomes:
            if error:
                continue
            if account:
                assumed[account["account_id"]] = account
            for scan_error in report.get("scan_errors") or []:
                self.warn("%s: region %s not scanned (%s): %s" % (self.NAME, scan_error["region"], scan_error["source"], scan_error["error"]))
            findings += report["findings"]
        return fi.hosts_of(findings, config["controls"], assumed)

    def _populate(self, hosts):
        strict = self.get_option("strict")
        for group in fi.CONTROL_GROUP.values():
            self.inventory.add_group(group)
        for group in (fi.ACTIONABLE, fi.BLOCKED):
            self.inventory.add_group(group)
        for host in hosts:
            name = host["name"]
            self.inventory.add_host(name)
            for group in host["groups"]:
                self.inventory.add_group(group)
                self.inventory.add_child(group, name)
            hostvars = dict(fi.CONNECTION_VARS, **host["vars"])
            if trust_as_template:
                # the interpreter that runs ansible-playbook (it has boto3), whichever controller reads the cached inventory
                hostvars["ansible_python_interpreter"] = trust_as_template(hostvars["ansible_python_interpreter"])
            for key, value in hostvars.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        config = self._config(path)
        cached, hosts = self.get_cached_result(path, cache)
        if not cached:
            hosts = self._scan(config)
        self._populate(hosts)
        self.update_cached_result(path, cache, hosts)
