#!/usr/bin/env bash
# The whole SmartStack flow against a REAL OpenStack control plane (tools/controlplane.py:
# RabbitMQ, MariaDB, Placement and nova-conductor on this machine's loopback) and a FRESH
# simulated global zone of its own (no pkgsrc, no Python), which it reboots half-way:
#   1. playbooks/smartstack.yml (survey, pkgsrc, Python, workspace, nova-compute under SMF);
#   2. checks.yml: the GZ's state, the SMF log's AMQP connection, the service record in the
#      cell database, the compute node in Placement and in a cell (discover_hosts);
#   3. smartstack.yml again: nothing changes;
#   4. a reboot of the GZ: nova-compute online again from /opt/custom/smf, its record alive;
#   5. smartstack.yml once more after the reboot: nothing changes.
set -euxo pipefail
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos"
shared_inventory="$collection/tests/integration/gz_inventory.yml"
# Our run dirs lie next to the shared bed's (never under a directory the GZs replace).
shared_run_dir=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["all"]["children"]["global_zones"]["vars"]["smartos_sim_run_dir"])' "$shared_inventory")
flow_run_dir="${shared_run_dir}-flow"
flow_inventory="$flow_run_dir/inventory.yml"
cp_run_dir="${shared_run_dir}-controlplane"
sim="$collection/tests/simulator"
gzhost() { PYTHONPATH="$sim" python3 -m smartos_sim.gzhost "$@"; }
controlplane() { python3 "$collection/tools/controlplane.py" "$@"; }
# The wheels the control plane's virtualenv downloaded serve the GZ's pip too (/tmp is shared).
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-/tmp/smartstack-pip-cache}"

cleanup() {
    gzhost down --run-dir "$flow_run_dir" --inventory "$flow_inventory" || true
    controlplane down --run-dir "$cp_run_dir" || true
    # The GZ's nova virtualenv (YAML files in site-packages) must not stay in the checkout,
    # where `yamllint .` would read it; SMARTSTACK_FLOW_KEEP=1 keeps both run dirs to look at.
    if [ -z "${SMARTSTACK_FLOW_KEEP:-}" ]; then rm -rf "$flow_run_dir" "$cp_run_dir"; fi
}
trap cleanup EXIT

SECONDS=0
# Fresh databases every run: a compute host known from an earlier run would not be "new".
controlplane down --run-dir "$cp_run_dir"
# The virtualenv is shared with tests/controlplane (kept between runs, rebuilt on a new nova).
controlplane up --run-dir "$cp_run_dir" --venv "${SMARTSTACK_CONTROLPLANE_VENV:-/tmp/smartstack-controlplane-venv}"
cp_seconds=$SECONDS
gzhost up --count 1 --fresh --run-dir "$flow_run_dir" --inventory "$flow_inventory" --port-base 0 --repo-port 0

# The role's variables from the control plane's endpoints (controlplane.json).
vars_file="$flow_run_dir/flow-vars.json"
python3 - "$cp_run_dir/controlplane.json" "$vars_file" "$PIP_CACHE_DIR" <<'PY'
import json
import sys

cp = json.load(open(sys.argv[1], encoding='utf-8'))
# The playbook's own interface (smartstack_*), plus two role defaults it does not map.
flow = {
    'smartstack_transport_url': cp['transport_url'],
    'smartstack_database_connection': cp['database_connection'],
    'smartstack_nova_config': {
        'DEFAULT': {
            # the AMQP connection is logged at DEBUG by oslo.messaging's rabbit driver only
            'default_log_levels': 'oslo.messaging._drivers.impl_rabbit=DEBUG,amqp=WARN,urllib3=WARN,'
                                  'keystoneauth=WARN,stevedore=WARN',
        },
        # nova-compute cannot start without a reachable Placement (tools/controlplane.py)
        'placement': cp['placement'],
    },
    # fake.FakeDriver writes no <state_path>/compute_id, and nova 34 refuses a second start of a
    # host it knows without one ("No local node identity found, but this is not our first startup
    # on this host"): the reboot needs the fake driver that keeps its node identity.
    'nova_compute_driver': 'fake.FakeDriverWithoutFakeNodes',
    'nova_compute_pip_environment': {'PIP_CACHE_DIR': sys.argv[3]},
    'flow_controlplane': sys.argv[1],
}
json.dump(flow, open(sys.argv[2], 'w', encoding='utf-8'), indent=1)
PY
common=(-i "$flow_inventory" -e "@$vars_file" -e "flow_collection=$collection" -e "flow_run_dir=$flow_run_dir")

# 1. the whole flow on a GZ without pkgsrc or Python
ansible-playbook "${common[@]}" "$collection/playbooks/smartstack.yml" "$@"
flow_seconds=$SECONDS
# 2. what it left on the GZ and in the control plane
ansible-playbook "${common[@]}" checks.yml -e flow_phase=installed "$@"
# 3. again: nothing changes
ansible-playbook "${common[@]}" "$collection/playbooks/smartstack.yml" "$@" | tee "$flow_run_dir/second.log"
grep -E '^gz1 +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$flow_run_dir/second.log"
# 4. a reboot of the GZ (the ramdisk's /etc and /root are gone; /opt, /zones, /var persist)
ansible-playbook "${common[@]}" checks.yml -e flow_phase=reboot "$@"
# 5. after the reboot the playbook still changes nothing
ansible-playbook "${common[@]}" "$collection/playbooks/smartstack.yml" "$@" | tee "$flow_run_dir/after-reboot.log"
grep -E '^gz1 +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$flow_run_dir/after-reboot.log"
echo "smartstack_flow: control plane up in ${cp_seconds} s, first flow done at ${flow_seconds} s, all done in ${SECONDS} s"
