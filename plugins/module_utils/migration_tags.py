# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tags of an EC2.24 migration (their meaning: module_utils/pv_migration.py). A file of its own so that the detection,
which reads ``hubfix:replaced-by``, does not carry the migration's logic into its module payload."""

from __future__ import annotations

TAG_PHASE = "hubfix:migration-phase"
TAG_RUN = "hubfix:migration-run"
TAG_WAS_RUNNING = "hubfix:was-running"
TAG_DEVICES = "hubfix:original-devices"
TAG_EIPS = "hubfix:original-eips"
TAG_REPLACEMENT = "hubfix:replacement-id"
TAG_REPLACED_BY = "hubfix:replaced-by"
TAG_REPLACES = "hubfix:replaces"
TAG_ERROR = "hubfix:migration-error"
TAG_SOURCE_INSTANCE = "hubfix:source-instance"
TAG_SOURCE_VOLUME = "hubfix:source-volume"
TAG_SOURCE_DEVICE = "hubfix:source-device"
TAG_MIGRATION_RUN_FILTER = "tag:" + TAG_RUN
# Which run works on the migration now (module_utils/claims.py), refreshed at every phase, removed when it ends.
TAG_CLAIM = "hubfix:migration-claim"
# The attempt number: a new attempt starts after a rollback, and the replacement's ClientToken is per source and attempt.
TAG_ATTEMPT = "hubfix:migration-attempt"
# Volumes hubfix made from a snapshot for the replacement (strategy copy): which snapshot, and the copy a final sync replaced.
TAG_COPIED_FROM = "hubfix:copied-from-snapshot"
TAG_SUPERSEDED_BY = "hubfix:superseded-by"
# Snapshots taken at cutover after the source stopped (final sync); the others are the prepare-time backups.
TAG_SNAPSHOT_PURPOSE = "hubfix:snapshot-purpose"
SNAPSHOT_PURPOSES = ("backup", "final")
