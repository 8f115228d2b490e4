#!/usr/bin/env bash
set -eux
inventory="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos/tests/integration/gz_inventory.yml"
trap 'ansible-playbook -i "$inventory" cleanup.yml "$@"' EXIT
ansible-playbook -i "$inventory" playbook.yml "$@"

# A second controller: its own inventory (the same GZ under another name, without the
# controller-side state dir), its own Ansible home and temp dirs. It sees the networks the first
# one defined, read back from the GZ alone.
second="$(mktemp -d)"
trap 'ansible-playbook -i "$inventory" cleanup.yml "$@"; rm -rf "$second"' EXIT
sed -e 's/^        gz1:$/        second_view:/' -e '/smartos_sim_state:/d' "$inventory" > "$second/inventory.yml"
grep -q second_view "$second/inventory.yml"
ANSIBLE_HOME="$second/home" ANSIBLE_LOCAL_TEMP="$second/tmp" ansible-playbook -i "$second/inventory.yml" second_controller.yml "$@"
