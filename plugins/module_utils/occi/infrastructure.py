# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Infrastructure 1.2 (GFD.224): kinds, mixins, actions and state machines.

Kinds: :data:`COMPUTE`, :data:`NETWORK`, :data:`STORAGE` (parent ``core#resource``) and
:data:`NETWORKINTERFACE`, :data:`STORAGELINK` (parent ``core#link``).
Mixins: :data:`IPNETWORK`, :data:`IPNETWORKINTERFACE`, :data:`OS_TPL`, :data:`RESOURCE_TPL`,
and the 1.2 :data:`SSH_KEY` and :data:`USER_DATA`.  Provider templates are built with
:func:`os_template` and :func:`resource_template`.

Attribute names, types and mutability are those of OCCI 1.2. Differences from 1.1:

* ``occi.compute.speed`` (GHz) was removed, ``occi.compute.share`` added;
* every state enumeration gained ``error``, and each Kind a ``*.state.message`` attribute;
* storage lost the 1.1 states ``backup``, ``snapshot``, ``resize`` and ``degraded`` and the
  actions ``backup``, ``snapshot`` and ``resize`` (1.2 resizes by updating
  ``occi.storage.size``).  This model still offers the three storage actions, as 1.1 and
  rOCCI do; their transient 1.1 states are collapsed, so each leads from ``online`` back to
  ``online``;
* compute gained the ``save`` action;
* 1.1 ``related`` is ``parent`` (Kinds) and ``depends`` (Mixins); mixins carry ``applies``.

Sizes are Floats in GiB (10^9 in the spec's unit column): ``occi.compute.memory``,
``occi.storage.size`` and the ``size`` parameter of ``resize``.

State machines (from the spec figures; a failing action leads to ``error``, which has no way
out): compute inactive --start--> active --stop--> inactive, active --suspend--> suspended
--start--> active, active --restart--> active, active --save--> active (and, an extension for
providers that copy a stopped machine, inactive --save--> inactive); network inactive --up-->
active --down--> inactive; storage offline --online--> online --offline--> offline; links
have a state but no actions.
"""

from __future__ import annotations

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import (
    CORE_MODEL,
    LINK,
    RESOURCE,
    Action,
    Kind,
    Mixin,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIValidationError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.state import StateMachine


INFRASTRUCTURE_SCHEME = 'http://schemas.ogf.org/occi/infrastructure#'
COMPUTE_ACTION_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/compute/action#'
NETWORK_ACTION_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/network/action#'
STORAGE_ACTION_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/storage/action#'
NETWORK_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/network#'
NETWORKINTERFACE_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/networkinterface#'
CREDENTIALS_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/credentials#'
COMPUTE_SCHEME = 'http://schemas.ogf.org/occi/infrastructure/compute#'

GIB = 'GiB'


def _state(name, states, default):
    return Attribute(name, 'string', mutable=False, required=True, enum=states, default=default,
                     description='Current state of the instance')


def _message(name):
    return Attribute(name, 'string', mutable=False, description='Human-readable explanation of the current state')


# ---------------------------------------------------------------------------------------------
# Compute
# ---------------------------------------------------------------------------------------------

COMPUTE_STATES = ('active', 'inactive', 'suspended', 'error')

START = Action(COMPUTE_ACTION_SCHEME, 'start', title='Start the compute instance')
STOP = Action(COMPUTE_ACTION_SCHEME, 'stop', title='Stop the compute instance', attributes=[
    Attribute('method', 'string', enum=('graceful', 'acpioff', 'poweroff'), description='How to stop'),
])
RESTART = Action(COMPUTE_ACTION_SCHEME, 'restart', title='Restart the compute instance', attributes=[
    Attribute('method', 'string', enum=('graceful', 'warm', 'cold'), description='How to restart'),
])
SUSPEND = Action(COMPUTE_ACTION_SCHEME, 'suspend', title='Suspend the compute instance', attributes=[
    Attribute('method', 'string', enum=('hibernate', 'suspend'), description='How to suspend'),
])
SAVE = Action(COMPUTE_ACTION_SCHEME, 'save', title='Save the compute instance as an OS template', attributes=[
    Attribute('method', 'string', enum=('hot', 'deferred'), description='Copy while running (hot) or at the next stop (deferred)'),
    Attribute('name', 'string', description='Name of the new OS template (the provider may override it)'),
])

COMPUTE_STATE_MACHINE = StateMachine('occi.compute.state', COMPUTE_STATES, 'inactive', [
    ('inactive', 'start', 'active'),
    ('active', 'stop', 'inactive'),
    ('active', 'restart', 'active'),
    ('active', 'suspend', 'suspended'),
    ('active', 'save', 'active'),
    ('suspended', 'start', 'active'),
    ('inactive', 'save', 'inactive'),
])

COMPUTE = Kind(INFRASTRUCTURE_SCHEME, 'compute', title='Compute Resource', parent=RESOURCE,
               actions=[START, STOP, RESTART, SUSPEND, SAVE], state_machine=COMPUTE_STATE_MACHINE, attributes=[
                   Attribute('occi.compute.architecture', 'string', enum=('x86', 'x64'), description='CPU architecture of the instance'),
                   Attribute('occi.compute.cores', 'integer', description='Number of virtual CPU cores assigned to the instance'),
                   Attribute('occi.compute.hostname', 'string', description='Fully qualified DNS hostname of the instance'),
                   Attribute('occi.compute.share', 'integer', description='Relative number of CPU shares of the instance'),
                   Attribute('occi.compute.memory', 'float', unit=GIB, description='Maximum RAM of the instance'),
                   _state('occi.compute.state', COMPUTE_STATES, 'inactive'),
                   _message('occi.compute.state.message'),
               ])


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

NETWORK_STATES = ('active', 'inactive', 'error')

UP = Action(NETWORK_ACTION_SCHEME, 'up', title='Activate the network')
DOWN = Action(NETWORK_ACTION_SCHEME, 'down', title='Deactivate the network')

NETWORK_STATE_MACHINE = StateMachine('occi.network.state', NETWORK_STATES, 'inactive', [
    ('inactive', 'up', 'active'),
    ('active', 'down', 'inactive'),
])

NETWORK = Kind(INFRASTRUCTURE_SCHEME, 'network', title='Network Resource', parent=RESOURCE,
               actions=[UP, DOWN], state_machine=NETWORK_STATE_MACHINE, attributes=[
                   Attribute('occi.network.vlan', 'integer', minimum=0, maximum=4095, description='802.1q VLAN identifier'),
                   Attribute('occi.network.label', 'string', pattern=r'^[^\s]+$', description='Tag based VLAN label (a token)'),
                   _state('occi.network.state', NETWORK_STATES, 'inactive'),
                   _message('occi.network.state.message'),
               ])

IPNETWORK = Mixin(NETWORK_SCHEME, 'ipnetwork', title='IP Network Mixin', applies=[NETWORK], attributes=[
    Attribute('occi.network.address', 'string', format='cidr', description='IPv4 or IPv6 address range in CIDR notation'),
    Attribute('occi.network.gateway', 'string', format='ip', description='IPv4 or IPv6 gateway address'),
    Attribute('occi.network.allocation', 'string', enum=('dynamic', 'static'), description='Address allocation mechanism'),
])


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------

STORAGE_STATES = ('online', 'offline', 'error')

ONLINE = Action(STORAGE_ACTION_SCHEME, 'online', title='Bring the storage online')
OFFLINE = Action(STORAGE_ACTION_SCHEME, 'offline', title='Take the storage offline')
BACKUP = Action(STORAGE_ACTION_SCHEME, 'backup', title='Back the storage up (OCCI 1.1)')
SNAPSHOT = Action(STORAGE_ACTION_SCHEME, 'snapshot', title='Take a snapshot of the storage (OCCI 1.1)')
RESIZE = Action(STORAGE_ACTION_SCHEME, 'resize', title='Resize the storage (OCCI 1.1)', attributes=[
    Attribute('size', 'float', required=True, unit=GIB, description='New size of the storage'),
])

STORAGE_STATE_MACHINE = StateMachine('occi.storage.state', STORAGE_STATES, 'offline', [
    ('offline', 'online', 'online'),
    ('online', 'offline', 'offline'),
    ('online', 'backup', 'online'),
    ('online', 'snapshot', 'online'),
    ('online', 'resize', 'online'),
])

STORAGE = Kind(INFRASTRUCTURE_SCHEME, 'storage', title='Storage Resource', parent=RESOURCE,
               actions=[ONLINE, OFFLINE, BACKUP, SNAPSHOT, RESIZE], state_machine=STORAGE_STATE_MACHINE, attributes=[
                   Attribute('occi.storage.size', 'float', required=True, unit=GIB, description='Storage size of the instance'),
                   _state('occi.storage.state', STORAGE_STATES, 'offline'),
                   _message('occi.storage.state.message'),
               ])


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------

LINK_STATES = ('active', 'inactive', 'error')

NETWORKINTERFACE = Kind(INFRASTRUCTURE_SCHEME, 'networkinterface', title='NetworkInterface Link', parent=LINK,
                        state_machine=StateMachine('occi.networkinterface.state', LINK_STATES, 'inactive', []), attributes=[
                            Attribute('occi.networkinterface.interface', 'string', mutable=False, required=True,
                                      description='Identifier of the network interface in the guest, e.g. eth0'),
                            Attribute('occi.networkinterface.mac', 'string', required=True, format='mac',
                                      description='MAC address of the network interface'),
                            _state('occi.networkinterface.state', LINK_STATES, 'inactive'),
                            _message('occi.networkinterface.state.message'),
                        ])

IPNETWORKINTERFACE = Mixin(NETWORKINTERFACE_SCHEME, 'ipnetworkinterface', title='IP Network Interface Mixin',
                           applies=[NETWORKINTERFACE], attributes=[
                               Attribute('occi.networkinterface.address', 'string', required=True, format='ip',
                                         description='IPv4 or IPv6 address of the interface'),
                               Attribute('occi.networkinterface.gateway', 'string', format='ip',
                                         description='IPv4 or IPv6 gateway address of the interface'),
                               Attribute('occi.networkinterface.allocation', 'string', required=True, enum=('dynamic', 'static'),
                                         description='Address allocation mechanism'),
                           ])

STORAGELINK = Kind(INFRASTRUCTURE_SCHEME, 'storagelink', title='StorageLink Link', parent=LINK,
                   state_machine=StateMachine('occi.storagelink.state', LINK_STATES, 'inactive', []), attributes=[
                       Attribute('occi.storagelink.deviceid', 'string', required=True,
                                 description='Device identifier as defined by the provider'),
                       Attribute('occi.storagelink.mountpoint', 'string', description='Point to mount the storage in the guest'),
                       _state('occi.storagelink.state', LINK_STATES, 'inactive'),
                       _message('occi.storagelink.state.message'),
                   ])


# ---------------------------------------------------------------------------------------------
# Templates and other mixins
# ---------------------------------------------------------------------------------------------

OS_TPL = Mixin(INFRASTRUCTURE_SCHEME, 'os_tpl', title='OS Template')
RESOURCE_TPL = Mixin(INFRASTRUCTURE_SCHEME, 'resource_tpl', title='Resource Template')

SSH_KEY = Mixin(CREDENTIALS_SCHEME, 'ssh_key', title='SSH key credentials', applies=[COMPUTE], attributes=[
    Attribute('occi.credentials.ssh.publickey', 'string', required=True, description='SSH public key(s) to grant access'),
])
USER_DATA = Mixin(COMPUTE_SCHEME, 'user_data', title='Contextualization user data', applies=[COMPUTE], attributes=[
    Attribute('occi.compute.userdata', 'string', required=True, description='Contextualization data, supplied once at creation'),
])


def os_template(scheme, term, title=None, attributes=None, applies=None, location=None):
    """Return a provider OS template: a Mixin that depends on :data:`OS_TPL`.

    ``applies`` defaults to ``[COMPUTE]``; the location to ``/mixin/os_tpl/<term>/``.
    """
    return Mixin(scheme, term, title=title, attributes=attributes, depends=[OS_TPL],
                 applies=list(applies) if applies is not None else [COMPUTE],
                 location=location or '/mixin/os_tpl/%s/' % term)


def resource_template(scheme, term, title=None, defaults=None, kind=None, applies=None, location=None):
    """Return a provider resource template: a Mixin that depends on :data:`RESOURCE_TPL`.

    ``defaults`` maps attribute names of ``kind`` (default :data:`COMPUTE`) to the values the
    template sets, e.g. ``{'occi.compute.cores': 2, 'occi.compute.memory': 4.0}``; the
    template carries copies of the Kind's definitions with those defaults, so
    :meth:`~.core.Entity.apply_defaults` fills them in.
    """
    kind = kind or COMPUTE
    attributes = []
    for name, value in (defaults or {}).items():
        definition = kind.find_attribute(name)
        if definition is None:
            raise OCCIValidationError('resource template %s: kind %s defines no attribute %s' % (term, kind.term, name))
        attributes.append(definition.with_default(value))
    return Mixin(scheme, term, title=title, attributes=attributes, depends=[RESOURCE_TPL],
                 applies=list(applies) if applies is not None else [kind],
                 location=location or '/mixin/resource_tpl/%s/' % term)


#: Infrastructure kinds by term, e.g. ``KINDS['compute']``.
KINDS = dict((k.term, k) for k in (COMPUTE, NETWORK, STORAGE, NETWORKINTERFACE, STORAGELINK))

#: Infrastructure mixins by term, e.g. ``MIXINS['ipnetwork']``.
MIXINS = dict((m.term, m) for m in (IPNETWORK, IPNETWORKINTERFACE, OS_TPL, RESOURCE_TPL, SSH_KEY, USER_DATA))

#: Core + Infrastructure: every category the query interface of this provider lists.
INFRASTRUCTURE_MODEL = CORE_MODEL.copy().register(*(list(KINDS.values()) + list(MIXINS.values())))
