#!/usr/bin/env bash
# The pkgsrc role's GPG check (pkgsrc_bootstrap_gpg_key) against a FRESH simulated global zone of
# its own (no pkgsrc): a throwaway key signs the served bootstrap kit, then playbook.yml shows
# that another key, a bad signature and a corrupted signature fail on the controller before the
# GZ is touched, and that the right key bootstraps.
set -euxo pipefail
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/smartstack/smartos"
shared_inventory="$collection/tests/integration/gz_inventory.yml"
shared_run_dir=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["all"]["children"]["global_zones"]["vars"]["smartos_sim_run_dir"])' "$shared_inventory")
run_dir="${shared_run_dir}-pkgsrc-gpg"
inventory="$run_dir/inventory.yml"
sim="$collection/tests/simulator"
gzhost() { PYTHONPATH="$sim" python3 -m smartos_sim.gzhost "$@"; }
keys=$(mktemp -d /tmp/pkgsrc-gpg-test.XXXXXX)

cleanup() {
    for home in "$keys/signer" "$keys/other"; do
        gpgconf --homedir "$home" --kill all 2>/dev/null || true
    done
    rm -rf "$keys"
    gzhost down --run-dir "$run_dir" --inventory "$inventory" || true
    rm -rf "$run_dir"
}
trap cleanup EXIT

gzhost up --count 1 --fresh --run-dir "$run_dir" --inventory "$inventory" --port-base 0 --repo-port 0
kit=$(find "$run_dir/pkgrepo/packages/SmartOS/bootstrap" -name 'bootstrap-*tools*.tar.gz' | head -n 1)
test -f "$kit"

# Two throwaway keys without a passphrase, each in its own GnuPG home.
for who in signer other; do
    mkdir -m 0700 "$keys/$who"
    gpg --homedir "$keys/$who" --batch --passphrase '' --quick-gen-key "pkgsrc $who <$who@example.invalid>" ed25519 sign never
    gpg --homedir "$keys/$who" --batch --armor --export > "$keys/$who.asc"
done
# The good signature beside the kit (the layout of pkgsrc.smartos.org: <kit>.asc).
rm -f "$kit.asc"
gpg --homedir "$keys/signer" --batch --yes --detach-sign --armor -o "$kit.asc" "$kit"
# A signature by the right key over other bytes: "BAD signature" for the kit.
gpg --homedir "$keys/signer" --batch --yes --detach-sign --armor -o "$kit.bad.asc" "$kit.sha1"
# The good signature with one character of its armoured body changed.
python3 - "$kit.asc" "$kit.corrupt.asc" <<'PY'
import sys
lines = open(sys.argv[1], encoding='ascii').read().split('\n')
body = [i for i, line in enumerate(lines) if line and not line.startswith(('-----', '=')) and ':' not in line]
i = body[len(body) // 2]
c = lines[i][10]
lines[i] = lines[i][:10] + ('B' if c != 'B' else 'C') + lines[i][11:]
open(sys.argv[2], 'w', encoding='ascii').write('\n'.join(lines))
PY

ansible-playbook -i "$inventory" playbook.yml -e "gpg_keys_dir=$keys" "$@"
