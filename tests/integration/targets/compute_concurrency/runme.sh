#!/usr/bin/env bash
# Two ansible-playbook runs create the same alias on gz1 at the same time: exactly one VM results.
set -eux
inventory="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos/tests/integration/gz_inventory.yml"
ansible-playbook -i "$inventory" setup.yml "$@"
ansible-playbook -i "$inventory" create.yml -e run_id=1 "$@" > run1.log 2>&1 &
first=$!
ansible-playbook -i "$inventory" create.yml -e run_id=2 "$@" > run2.log 2>&1 &
second=$!
rc=0
wait "$first" || rc=1
wait "$second" || rc=1
cat run1.log run2.log
[ "$rc" = 0 ]
ansible-playbook -i "$inventory" check.yml "$@"
