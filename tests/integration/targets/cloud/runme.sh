#!/usr/bin/env bash
# playbooks/cloud.yml up (checked on the GZ), up again (no task changed), down (nothing left).
set -eux -o pipefail
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos"
inventory="${collection}/tests/integration/gz_inventory.yml"
model="$(pwd)/model.yml"
ansible-playbook -i "$inventory" check.yml -e phase=clean "$@"
ansible-playbook -i "$inventory" "${collection}/playbooks/cloud.yml" -e "cloud_model=${model}" "$@"
ansible-playbook -i "$inventory" check.yml -e phase=up "$@"
ansible-playbook -i "$inventory" "${collection}/playbooks/cloud.yml" -e "cloud_model=${model}" "$@" | tee cloud-again.out
grep -E '^gz1 +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0 ' cloud-again.out
rm -f cloud-again.out
ansible-playbook -i "$inventory" "${collection}/playbooks/cloud.yml" -e "cloud_model=${model}" -e cloud_state=absent "$@"
ansible-playbook -i "$inventory" check.yml -e phase=down "$@"
