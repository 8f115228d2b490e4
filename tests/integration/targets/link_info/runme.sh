#!/usr/bin/env bash
set -eux
inventory="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos/tests/integration/gz_inventory.yml"
ansible-playbook -i "$inventory" playbook.yml "$@"
