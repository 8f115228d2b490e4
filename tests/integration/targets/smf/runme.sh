#!/usr/bin/env bash
set -eux
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos"
inventory="$collection/tests/integration/gz_inventory.yml"
# the simulator's gzhost reboots gz1 half-way (persisted services must come back)
ansible-playbook -i "$inventory" playbook.yml -e "smf_sim_dir=$collection/tests/simulator" "$@"
