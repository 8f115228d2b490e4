# smartstack.smartos: a newcomer needs two commands on a fresh machine.
#   make demo   the SmartStack playbook against a simulated global zone
#               (make demo INVENTORY=path/to/hosts.yml: against real SmartOS hosts)
#   make test   every test, set-up included
# Everything else below is a piece of those two; `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

REPO := $(CURDIR)
# The machine's Python 3.11 (ansible-core 2.19, the newest that installs on 3.11) ...
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# ... and, when there is one, a Python 3.12 for the newest ansible-core (2.20+ need >= 3.12).
# The interpreter itself, not a pyenv shim: shims fail inside ansible-test.
PYTHON_NEWEST ?= $(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(wildcard /usr/bin/python3.12)))

VENV := $(REPO)/.venv
BIN := $(VENV)/bin
VENV_NEWEST := $(REPO)/.venv-newest
VENV_PEERS := $(REPO)/.venv-peers
BUILD := $(REPO)/build
RESULTS := $(BUILD)/test-results
COLL_ROOT := $(BUILD)/collections
COLL := $(COLL_ROOT)/ansible_collections/smartstack/smartos
SIM := $(REPO)/tests/simulator
SIM_INVENTORY := $(SIM)/inventory.yml
INVENTORY ?=
# ansible-test integration targets to run (all when empty)
TARGETS ?=
GZ_COUNT ?= 2
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
# The plugin `make build` asks ansible-doc about once the tarball is installed.
DOC_PLUGIN ?= -t filter smartstack.smartos.to_occi_text

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0

.PHONY: help test demo deps system-deps venv newest peers tree lint sanity units simulator \
	integration reliability molecule build docs bench gz-up gz-down clean test-lane-checks test-lane-beds \
	controlplane controlplane-up controlplane-down

help:
	@echo 'make demo     run the SmartStack playbook against a simulated global zone (INVENTORY=... for real hosts)'
	@echo 'make test     run every test (lint, sanity, units, simulator, integration, molecule, build, docs)'
	@echo 'make lint | sanity | units | simulator | integration | reliability | molecule | build | docs'
	@echo 'make bench    performance figures against community.general, one table (not in make test; BENCH_ARGS=--quick)'
	@echo 'make gz-up | gz-down   start / stop the simulated global zones ($(SIM_INVENTORY))'
	@echo 'make controlplane-up | controlplane-down   RabbitMQ, MariaDB, Placement, nova-conductor on loopback ($(CP_RUN_DIR))'

# ---------------------------------------------------------------- set-up
deps: system-deps venv

# sshd serves the simulated global zones; gpg checks pkgsrc kit signatures on the controller
# (a global zone has none). RabbitMQ and MariaDB come with tools/controlplane.py when needed.
system-deps:
	@missing=''; test -x /usr/sbin/sshd || missing="$$missing openssh-server"; \
	command -v gpg >/dev/null || missing="$$missing gnupg"; \
	if [ -n "$$missing" ]; then \
		echo "--- installing$$missing from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt requirements-dev.constraints.txt
	@echo '--- development virtualenv ($(PYTHON))'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c requirements-dev.constraints.txt
	$(VENV)/bin/python tools/ansible_test_offline.py
	touch $@

newest: $(VENV_NEWEST)/.installed
$(VENV_NEWEST)/.installed: requirements-newest.txt
	@if [ -z "$(PYTHON_NEWEST)" ]; then echo 'no Python 3.12 on this machine: the newest ansible-core is not tested'; exit 0; fi; \
	echo '--- newest ansible-core virtualenv ($(PYTHON_NEWEST))'; \
	rm -rf $(VENV_NEWEST); \
	$(PYTHON_NEWEST) -m venv $(VENV_NEWEST); \
	$(VENV_NEWEST)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip; \
	$(VENV_NEWEST)/bin/python -m pip install -q --disable-pip-version-check -r requirements-newest.txt; \
	$(VENV_NEWEST)/bin/python tools/ansible_test_offline.py; \
	touch $@

peers: $(VENV_PEERS)/.installed
$(VENV_PEERS)/.installed: requirements-peers.txt
	@echo '--- peer modules virtualenv (community.general from the ansible package)'
	rm -rf $(VENV_PEERS)
	$(PYTHON) -m venv $(VENV_PEERS)
	$(VENV_PEERS)/bin/python -m pip install -q --disable-pip-version-check -r requirements-peers.txt
	touch $@

# ansible-test only runs inside .../ansible_collections/smartstack/smartos: copy the clone there.
# TREE_READY=1: the tree is built already and other jobs may be reading it (make test's lanes).
tree: venv
	@if [ -z "$(TREE_READY)" ]; then $(BIN)/python tools/collection_tree.py $(COLL_ROOT) >/dev/null; fi

# ---------------------------------------------------------------- the main job
demo: deps tree
	@if [ -n "$(INVENTORY)" ]; then inv="$(INVENTORY)"; else $(MAKE) gz-up; inv="$(SIM_INVENTORY)"; fi; \
	echo "--- SmartStack playbook against $$inv"; \
	$(BIN)/ansible-playbook -i "$$inv" playbooks/smartstack.yml; \
	echo "--- what the inventory sees"; \
	$(BIN)/ansible-inventory -i "$$inv" --graph

# The GZs' run dir is tests/simulator/run, or /tmp/smartos-sim-run-<hash> when the clone lies
# under a directory the GZs replace (/root, /opt, ...): `gzhost default-run-dir` tells which.
gz-up: deps
	@cd $(SIM) && $(BIN)/python -m smartos_sim.gzhost up --count $(GZ_COUNT) --inventory $(SIM_INVENTORY)

gz-down:
	@cd $(SIM) && $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m smartos_sim.gzhost down --inventory $(SIM_INVENTORY)

# ---------------------------------------------------------------- tests
# Two lanes at once, to use both cores within CI's 30 minutes: the static checks (lint, sanity,
# units, build, docs) in build/, and the suites that drive simulated GZs (simulator, then
# integration, reliability and molecule side by side, each on GZs of its own) in a second copy
# of the tree (build/beds), so that no lane rewrites files the other reads. Each lane's output
# goes to its log, printed when the lane ends. Every lane and stage reads its own /dev/null:
# sharing the caller's stdin, one job's O_NONBLOCK makes ansible refuse to run in another.
LANES := checks beds
# $(call timed_job,command,name): run command in a subshell reading /dev/null, output to
# $(RESULTS)/name.log, exit status to name.rc and seconds to name.secs. `if` keeps the status:
# under .SHELLFLAGS' -e a plain `cmd; echo $$?` would end the subshell before writing it.
timed_job = (t0=$$(date +%s); if $(1) < /dev/null > $(RESULTS)/$(2).log 2>&1; then rc=0; else rc=$$?; fi; \
	echo $$rc > $(RESULTS)/$(2).rc; echo $$(( $$(date +%s) - t0 )) > $(RESULTS)/$(2).secs)
test: deps peers
	rm -rf $(RESULTS) $(BUILD)/beds
	mkdir -p $(RESULTS)
	$(MAKE) tree
	$(MAKE) BUILD=$(BUILD)/beds RESULTS=$(RESULTS) tree
	@for lane in $(LANES); do $(call timed_job,$(MAKE) test-lane-$$lane,$$lane) & done; wait; \
	status=0; for lane in $(LANES); do \
		rc=$$(cat $(RESULTS)/$$lane.rc); echo "=== lane $$lane: exit $$rc after $$(cat $(RESULTS)/$$lane.secs) s"; cat $(RESULTS)/$$lane.log; \
		if [ "$$rc" != 0 ]; then status=1; fi; \
	done; \
	echo '--- summary of every test report'; $(BIN)/python tools/test_summary.py $(RESULTS); exit $$status

test-lane-checks:
	$(MAKE) TREE_READY=1 lint
	$(MAKE) TREE_READY=1 CHECK_NEWEST= sanity
	$(MAKE) TREE_READY=1 CHECK_NEWEST= units
	$(MAKE) build
	$(MAKE) TREE_READY=1 docs

BEDS = BUILD=$(BUILD)/beds RESULTS=$(RESULTS) TREE_READY=1
test-lane-beds:
	$(MAKE) $(BEDS) simulator
	@for stage in integration reliability molecule; do $(call timed_job,$(MAKE) $(BEDS) $$stage,$$stage) & done; wait; \
	status=0; for stage in integration reliability molecule; do \
		rc=$$(cat $(RESULTS)/$$stage.rc); echo "=== $$stage: exit $$rc after $$(cat $(RESULTS)/$$stage.secs) s"; cat $(RESULTS)/$$stage.log; \
		if [ "$$rc" != 0 ]; then status=1; fi; \
	done; exit $$status

lint: tree
	@echo '--- yamllint'
	$(BIN)/yamllint -s .
	@echo '--- ansible-lint (production profile)'
	$(BIN)/ansible-lint --offline -q

# The newest ansible-core re-checks what depends on its version (validate-modules, import, ansible-doc,
# runtime metadata ...); pylint, the costliest, reads the same code with the same rules on 2.19.
# SANITY_NEWEST_ARGS= (empty) runs all of it.
SANITY_NEWEST_ARGS ?= --skip-test pylint
# `make sanity` and `make units` also run on the newest ansible-core (make newest first); make test
# does not (CHECK_NEWEST= in its lane): on 2 cores its suites need that CPU to end within 30 minutes.
CHECK_NEWEST ?= 1
sanity: tree
	@echo "--- ansible-test sanity, ansible-core $$($(BIN)/python -c 'from ansible.release import __version__; print(__version__)')"
	cd $(COLL) && $(BIN)/ansible-test sanity --local --python 3.11 --color no --junit
	mkdir -p $(RESULTS)/sanity-3.11 && cp $(COLL)/tests/output/junit/*.xml $(RESULTS)/sanity-3.11/ 2>/dev/null || true
	@if [ -n "$(CHECK_NEWEST)" ] && [ -x $(VENV_NEWEST)/bin/ansible-test ]; then \
		echo "--- ansible-test sanity, ansible-core $$($(VENV_NEWEST)/bin/python -c 'import ansible; print(ansible.__version__)') (pylint: 2.19's run)"; \
		rm -rf $(COLL)/tests/output; \
		cd $(COLL) && PATH=$(VENV_NEWEST)/bin:$$PATH $(VENV_NEWEST)/bin/ansible-test sanity --local --python 3.12 --color no --junit $(SANITY_NEWEST_ARGS); \
		mkdir -p $(RESULTS)/sanity-3.12 && cp $(COLL)/tests/output/junit/*.xml $(RESULTS)/sanity-3.12/ 2>/dev/null || true; \
	fi

# On the newest ansible-core, the units that touch its APIs (plugins, modules, module_utils' command
# and OCCI layers); the resource plans driven through the simulator (tests/unit/.../resources, a
# third of `make test`'s unit time) depend on no ansible-core API and run on 2.19 only.
UNITS_NEWEST = $(filter-out tests/unit/plugins/module_utils/resources/,$(sort $(dir $(wildcard tests/unit/plugins/*/test_*.py tests/unit/plugins/module_utils/*/test_*.py))))
units: tree
	@if [ -z "$$(find tests/unit -name 'test_*.py' 2>/dev/null)" ]; then echo '--- no unit tests yet'; exit 0; fi; \
	echo '--- ansible-test units, ansible-core 2.19 / Python 3.11'; \
	rm -rf $(COLL)/tests/output; \
	(cd $(COLL) && $(BIN)/ansible-test units --local --python 3.11 --requirements --color no); \
	mkdir -p $(RESULTS)/units-3.11 && cp $(COLL)/tests/output/junit/*.xml $(RESULTS)/units-3.11/; \
	if [ -n "$(CHECK_NEWEST)" ] && [ -x $(VENV_NEWEST)/bin/ansible-test ]; then \
		echo '--- ansible-test units, newest ansible-core / Python 3.12 (all but the resource plans on the simulator)'; \
		rm -rf $(COLL)/tests/output; \
		(cd $(COLL) && PATH=$(VENV_NEWEST)/bin:$$PATH $(VENV_NEWEST)/bin/ansible-test units --local --python 3.12 --requirements --color no $(UNITS_NEWEST)); \
		mkdir -p $(RESULTS)/units-3.12 && cp $(COLL)/tests/output/junit/*.xml $(RESULTS)/units-3.12/; \
	fi

# The simulator's own tests: conformance of each tool, the GZ hosts over SSH, and the
# cross-check with community.general's modules (.venv-peers).
simulator: deps peers
	@echo '--- simulated global zone: conformance, hosts, cross-check'
	mkdir -p $(RESULTS)
	SMARTSTACK_PEERS_BIN=$(VENV_PEERS)/bin $(BIN)/python -m pytest -p no:cacheprovider -q -n 2 \
		--junitxml=$(RESULTS)/simulator.xml tests/simulator/tests tests/bench/test_bench_smoke.py

# Integration targets run real ansible-playbook against beds of simulated GZs of their own
# (bootstrapped: modules need pkgsrc's Python), apart from the demo's: IT_WORKERS beds side by
# side, each taking the next target, longest first (tools/integration_junit.py). A target's
# runme.sh finds its bed's inventory at tests/integration/gz_inventory.yml of the collection tree,
# which ansible-test names in ANSIBLE_COLLECTIONS_PATH (it replaces tests/integration/inventory).
IT_WORKERS ?= 2
IT_GZ = PYTHONPATH=$(SIM) $(BIN)/python -m smartos_sim.gzhost
IT_RUN_DIR = $$($(IT_GZ) default-run-dir)-integration
integration: deps tree
	@if [ -z "$$(ls tests/integration/targets 2>/dev/null)" ]; then echo '--- no integration targets yet'; exit 0; fi; \
	echo '--- integration targets against simulated global zones ($(IT_WORKERS) beds)'; \
	$(BIN)/python tools/integration_junit.py --workers $(IT_WORKERS) --run-dir-base "$(IT_RUN_DIR)" \
		$(RESULTS)/integration.xml $(COLL) $(TARGETS)

# Fuzzed arguments, check mode, injected faults, concurrency and security, each against simulated
# GZs over SSH (tests/reliability/README.md). Not -n 2: the fault tests already use both GZs at once.
reliability: deps tree
	@echo '--- reliability: fuzz, check mode, faults, concurrency, security (simulated GZs over SSH)'
	mkdir -p $(RESULTS)
	$(BIN)/python -m pytest -p no:cacheprovider -q --junitxml=$(RESULTS)/reliability.xml tests/reliability

molecule: deps tree
	@if [ -z "$$(ls extensions/molecule 2>/dev/null)" ]; then echo '--- no molecule scenarios yet'; exit 0; fi; \
	$(MAKE) gz-up; status=0; \
	(cd extensions && $(BIN)/molecule test --all) || status=$$?; \
	$(MAKE) gz-down; exit $$status

build: venv
	@echo '--- ansible-galaxy collection build + install from the tarball'
	rm -rf $(BUILD)/dist $(BUILD)/install
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist .
	$(BIN)/ansible-galaxy collection install --force -p $(BUILD)/install $(BUILD)/dist/smartstack-smartos-$(VERSION).tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/install $(BIN)/ansible-galaxy collection list -p $(BUILD)/install smartstack.smartos
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/install $(BIN)/ansible-doc $(DOC_PLUGIN) > $(BUILD)/ansible-doc.txt
	head -n 20 $(BUILD)/ansible-doc.txt

docs: tree
	@echo '--- antsibull-docs lint + HTML docsite'
	$(BIN)/python tools/md_to_rst.py --check docs/getting-started.md docs/docsite/rst/getting_started.rst
	cd $(COLL) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	rm -rf $(BUILD)/docsite && mkdir -m 0755 -p $(BUILD)/docsite
	$(BIN)/antsibull-docs sphinx-init --use-current --lenient --fail-on-error --dest-dir $(BUILD)/docsite smartstack.smartos
	$(BIN)/python -m pip install -q --disable-pip-version-check -r $(BUILD)/docsite/requirements.txt -c requirements-dev.constraints.txt
	cd $(BUILD)/docsite && ./build.sh >$(BUILD)/docsite-build.log 2>&1 || { tail -n 40 $(BUILD)/docsite-build.log; exit 1; }
	@test -f $(BUILD)/docsite/build/html/collections/smartstack/smartos/index.html
	@echo "docs: $(BUILD)/docsite/build/html/index.html"

# A real OpenStack control plane (Debian RabbitMQ + MariaDB, nova 34.0.0 and Placement from PyPI,
# nova-conductor) on loopback, for trying nova_compute by hand; the smartstack_flow integration
# target starts its own. `make controlplane` runs its tests with a hand-written nova.conf.
CP_RUN_DIR ?= /tmp/smartstack-controlplane
controlplane-up: venv
	$(BIN)/python tools/controlplane.py up --run-dir $(CP_RUN_DIR)

controlplane-down:
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) tools/controlplane.py down --run-dir $(CP_RUN_DIR)

controlplane: venv
	@echo '--- the control plane with a hand-written nova.conf'
	mkdir -p $(RESULTS)
	$(BIN)/python -m pytest -p no:cacheprovider -q --junitxml=$(RESULTS)/controlplane.xml tests/controlplane

# Performance figures against community.general (issue 8; docs/benchmarks.md). Not in `make test`
# (an hour on 2 busy cores); needs root. BENCH_ARGS=--quick: a smoke run; --only commands|converge|inventory;
# --cost vmadm=0.6,...: the time model's seconds per command.
BENCH_ARGS ?=
bench: deps peers
	@echo '--- benchmarks: smartstack.smartos against community.general, one table'
	SMARTSTACK_PEERS_BIN=$(VENV_PEERS)/bin $(BIN)/python tests/bench/run_all.py $(BENCH_ARGS)

clean: gz-down
	rm -rf $(BUILD) $(VENV) $(VENV_NEWEST) $(VENV_PEERS) tests/output
