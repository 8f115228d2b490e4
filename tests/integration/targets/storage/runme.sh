#!/usr/bin/env bash
set -eux
inventory="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos/tests/integration/gz_inventory.yml"
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos"
ansible-playbook -i "$inventory" playbook.yml "$@"
# The example playbook, with a change that fails: it must roll the workspace back. The
# simulated GZ keeps /var/tmp private (its /data would be the controller's), so it mounts there.
ansible-playbook -i "$inventory" "$collection/playbooks/workspace.yml" \
  -e workspace_hosts=gz1 -e workspace_dataset=zones/it-workspace -e workspace_mountpoint=/var/tmp/it-workspace \
  -e workspace_size=1 -e workspace_fail_on_rollback=false \
  -e '{"workspace_change": "echo broken > state.txt; exit 3"}' "$@"
ansible-playbook -i "$inventory" workspace_assert.yml "$@"
