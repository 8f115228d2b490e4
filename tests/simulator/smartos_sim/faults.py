"""Fault injection: make the next N calls of a tool (or of one of its subcommands) fail or hang.

``faults.json`` holds a list of rules::

    {"tool": "vmadm", "subcommand": "create", "count": 1,
     "rc": 1, "stderr": "...", "stdout": "", "hang": 0}

``subcommand`` is optional (any call of the tool matches); the subcommand of a call is its
first argument that is not an option. ``count`` is how many calls the rule still catches; a rule
is dropped when it reaches 0. ``hang`` sleeps that many seconds before answering, which is how a
hung tool is simulated (the caller's timeout is what is under test).
"""


def subcommand_of(argv):
    """The first argument that is not an option, or None."""
    for arg in argv:
        if not arg.startswith('-'):
            return arg
    return None


def add(state, tool, subcommand=None, count=1, rc=1, stderr='', stdout='', hang=0.0):
    """Queue a fault for the next ``count`` matching calls."""
    with state.lock():
        rules = state.load('faults', [])
        rules.append({'tool': tool, 'subcommand': subcommand, 'count': int(count), 'rc': int(rc),
                      'stderr': stderr, 'stdout': stdout, 'hang': float(hang)})
        state.save('faults', rules)


def clear(state):
    """Drop every queued fault."""
    with state.lock():
        state.save('faults', [])


def take(state, tool, argv):
    """The first rule matching this call, consumed once; None when no rule matches."""
    with state.lock():
        rules = state.load('faults', [])
        sub = subcommand_of(argv)
        for index, rule in enumerate(rules):
            if rule['tool'] == tool and rule.get('subcommand') in (None, sub):
                rule['count'] -= 1
                if rule['count'] <= 0:
                    del rules[index]
                state.save('faults', rules)
                return rule
    return None
