"""A simulated svc.startd: runs SMF methods as real processes and decides each instance's state.

svc.startd is a daemon; here its work is done by the SMF tools themselves (svcadm, svccfg,
svcs) before they return: :func:`drive` plans one step at a time under the state lock, runs
the step's method **without** the lock (a method may call svcprop or svcs), then records the
result. The real svcadm returns at once and svc.startd works asynchronously; here the state a
tool leaves behind is already settled (a start method still runs to its exit or its timeout).

Contracts are modelled by sessions: every forked method runs in a new session (``setsid``), so
the session id (the method's pid) is the contract's process set; liveness is read from
``/proc/<pid>/stat`` (zombies count as gone). A daemon that calls ``setsid`` itself leaves the
simulated contract (the real contract would still hold it).

Rules (reference smartos_smf_zones.md §2.2, §6.7, §7, §8):
- contract (default): start exits 0 leaving processes -> online; when the contract empties,
  ``Stopping because all processes in service exited.``, stop, restart; more than
  ``startd/critical_failure_count`` (10) starts in ``critical_failure_period`` (600 s) ->
  maintenance ``restarting_too_quickly``;
- transient: start exits 0 -> online, processes are not tracked;
- child: the start method is the daemon, online once forked;
- a start that exits 95/96/99/100 -> maintenance (``method_failed``); other failures are
  retried until 3 faults -> maintenance (``fault_threshold_reached``).
"""
import errno
import json
import os
import pwd
import signal
import subprocess
import time

from smartos_sim import smfrepo
from smartos_sim.smfrepo import get_value, inst_fmri

SIM_BIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bin')
FAULT_THRESHOLD = 3                      # startd.h FAULT_THRESHOLD
RINST_START_TIMES = 10                   # SmartOS fork startd.h (illumos-gate has 5), §7.5
RINST_FAILURE_PERIOD = 600
FATAL_EXITS = (95, 96, 99, 100)          # SMF_EXIT_ERR_FATAL, _CONFIG, _NOSMF, _PERM (§7.1, §7.2)
# UNCONFIRMED: an infinite (0/-1) stop timeout waits for ever on SmartOS; the simulator stops waiting
# for an emptying contract after this many seconds and kills it, so a test bed cannot hang.
INFINITE_WAIT_CAP = 120


def new_runtime(non_process=False):
    """The restarter's record of one instance (the ``restarter`` property group's source)."""
    return {'state': 'uninitialized', 'next_state': 'none', 'aux_state': 'none', 'stime': time.time(),
            'ctid': None, 'sid': None, 'start_times': [], 'faults': 0, 'last': None, 'busy': None,
            'pending': [], 'restart_check': False, 'non_process': non_process}


# ---------------------------------------------------------------- processes

def proc_table():
    """``{pid: {"sid", "state", "start", "comm"}}`` of every process (from /proc/<pid>/stat)."""
    table = {}
    try:
        names = os.listdir('/proc')
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name, encoding='utf-8', errors='replace') as handle:
                data = handle.read()
        except OSError:
            continue
        lpar, rpar = data.find('('), data.rfind(')')
        fields = data[rpar + 2:].split()
        try:
            table[int(name)] = {'comm': data[lpar + 1:rpar], 'state': fields[0], 'sid': int(fields[3]),
                                'start': int(fields[19])}
        except (IndexError, ValueError):
            continue
    return table


def session_pids(sid, table=None):
    """Live (non-zombie) pids in session ``sid``, sorted."""
    if not sid:
        return []
    table = proc_table() if table is None else table
    return sorted(pid for pid, info in table.items() if info['sid'] == sid and info['state'] not in ('Z', 'X'))


def _boot_time():
    try:
        with open('/proc/stat', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('btime '):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_start_time(info):
    """Epoch seconds a process started (its /proc starttime)."""
    return _boot_time() + info['start'] / float(os.sysconf('SC_CLK_TCK'))


def process_args(pid):
    """The command line of ``pid`` (``psargs``, at most 80 characters as in psinfo)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            raw = handle.read()
    except OSError:
        return ''
    return raw.rstrip(b'\0').replace(b'\0', b' ').decode('utf-8', 'replace')[:80]


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8', errors='replace') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except (OSError, IndexError):
        return False


def signal_session(sid, sig):
    for pid in session_pids(sid):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_empty(sid, seconds):
    """Wait until session ``sid`` has no live process; True when it emptied in time."""
    deadline = time.time() + seconds
    while session_pids(sid):
        if time.time() >= deadline:
            return False
        time.sleep(0.05)
    return True


def kill_session(sid):
    """SIGKILL every process of a contract and wait (briefly) for them to go."""
    if session_pids(sid):
        signal_session(sid, signal.SIGKILL)
        wait_empty(sid, 5)


# ---------------------------------------------------------------- instance log

def log(state, svc, inst, message):
    """``[ %b %e %T <message> ]`` appended to the instance log (log.c vlog_instance, §8)."""
    path = state.host_path(smfrepo.log_name(svc, inst))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, ('[ %s %s ]\n' % (time.strftime('%b %e %T'), message)).encode('utf-8'))
    finally:
        os.close(fd)


# ---------------------------------------------------------------- methods

def model_of(view):
    """``startd/duration``: transient, child (``wait`` too), anything else contract (libscf.c)."""
    duration = get_value(view, 'startd', 'duration', 'contract')
    if duration == 'transient':
        return 'transient'
    if duration in ('child', 'wait'):
        return 'child'
    return 'contract'


def quote_for_shell(value):
    """svcprop's quoting (quote_for_shell, §5): the special characters are preceded by ``\\``."""
    if value == '':
        return '""'
    return ''.join('\\' + c if c in ';&()|^<>\n \t\\"\'`' else c for c in value)


class TokenError(Exception):
    pass


def expand_tokens(text, svc, inst, method, view):
    """%-tokens of an exec string (librestart expand_method_tokens, §6.7)."""
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != '%' or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        code = text[i + 1]
        i += 2
        if code == '%':
            out.append('%')
        elif code == 'r':
            out.append('svc.startd')
        elif code == 'm':
            out.append(method)
        elif code == 's':
            out.append(svc)
        elif code == 'i':
            out.append(inst)
        elif code == 'f':
            out.append(inst_fmri(svc, inst))
        elif code == '{':
            end = text.find('}', i)
            if end < 0:
                raise TokenError('Invalid argument')
            spec = text[i:end]
            i = end + 1
            sep = ' '
            if ':' in spec:
                spec, sep = spec.split(':', 1)
                sep = sep[:1] or ' '
            pgname, _slash, pname = spec.rpartition('/')
            # UNCONFIRMED: %{prop} without a group reads the 'application' group (pkgsrc manifests, pkgsrc_nova_facts §4)
            pgname = pgname or 'application'
            group = view.get(pgname)
            if not group or pname not in group['props']:
                raise TokenError('No such file or directory')
            out.append(sep.join(quote_for_shell(v) for v in group['props'][pname]['values']))
        else:
            raise TokenError('Invalid argument')
    return ''.join(out)


def _context(view, method):
    """Method context: the method's own group first, then the ``method_context`` group (§6.7)."""
    ctx = {}
    for source in ('method_context', method):
        group = view.get(source, {'props': {}})
        for key in ('working_directory', 'user', 'group', 'environment'):
            if key in group['props'] and group['props'][key]['values']:
                ctx[key] = group['props'][key]['values']
    return ctx


class Result:
    """What a method run came to."""

    def __init__(self, kind, status=None, sig=None, sid=None):
        self.kind = kind          # ok, fail, fatal, timeout
        self.status = status
        self.sig = sig
        self.sid = sid


def run_method(state, svc, inst, view, method, model, ctid=None, sid=None):  # pylint: disable=too-many-locals,too-many-branches
    """Run one method the way svc.startd's method_run does; returns a :class:`Result`."""
    group = view.get(method)
    if group is None:
        if method == 'start':
            log(state, svc, inst, "Method property group 'start' is not present.")
        return Result('ok')
    exe = get_value(view, method, 'exec', '')
    try:
        timeout = int(get_value(view, method, 'timeout_seconds', '0') or 0)
    except ValueError:
        timeout = 0
    if exe.strip().startswith(':true'):
        log(state, svc, inst, 'Executing %s method (null).' % method)
        return Result('ok')
    if exe.strip().startswith(':kill'):
        if model == 'transient':
            log(state, svc, inst, 'Invalid use of ":kill" as stop method for transient service.')
            return Result('fatal')
        sig = signal.SIGTERM
        words = exe.split()
        if len(words) > 1 and words[1].startswith('-'):
            name = words[1][1:]
            try:
                sig = int(name) if name.isdigit() else getattr(signal, 'SIG' + name.upper())
            except AttributeError:
                sig = signal.SIGTERM
        log(state, svc, inst, 'Executing %s method (:kill).' % method)
        signal_session(sid, sig)
        return Result('ok')
    try:
        expanded = expand_tokens(exe, svc, inst, method, view)
    except TokenError as exc:
        log(state, svc, inst, 'Could not expand method tokens in "%s": %s.' % (exe, exc))
        return Result('fatal')
    ctx = _context(view, method)
    env = {'PATH': SIM_BIN + ':/usr/sbin:/usr/bin', 'SMF_FMRI': inst_fmri(svc, inst), 'SMF_METHOD': method,
           'SMF_RESTARTER': smfrepo.RESTARTER_FMRI, 'SMF_ZONENAME': 'global'}
    for key, value in os.environ.items():
        if key.startswith('SMARTOS_SIM_'):
            env[key] = value
    for item in ctx.get('environment', []):
        key, _sep, value = item.partition('=')
        if key:
            env[key] = value
    popen_user = {}
    user = (ctx.get('user') or ['root'])[0]
    try:
        entry = pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except KeyError:
        log(state, svc, inst, 'Could not interpret "user" property value "%s", error %d.' % (user, errno.ENOENT))
        return Result('fatal')
    if os.geteuid() == 0 and entry.pw_uid != 0:
        popen_user = {'user': entry.pw_uid, 'group': entry.pw_gid}
    # UNCONFIRMED: without root the simulator cannot change user; methods run as the simulator's user.
    env.setdefault('HOME', entry.pw_dir)
    env.setdefault('LOGNAME', entry.pw_name)
    workdir = (ctx.get('working_directory') or [':default'])[0]
    if workdir in (':default', ':home'):
        workdir = entry.pw_dir if 'working_directory' in ctx or 'user' in ctx else '/'
        if not os.path.isdir(workdir):
            workdir = '/'
    log(state, svc, inst, 'Executing %s method ("%s").' % (method, expanded))
    logpath = state.host_path(smfrepo.log_name(svc, inst))
    if not os.path.isdir(workdir):
        # the forked method's chdir fails: it logs and exits SMF_EXIT_ERR_CONFIG (§6.7)
        with open(logpath, 'a', encoding='utf-8') as handle:
            handle.write('chdir: %s ("%s")\n' % (os.strerror(errno.ENOENT), workdir))
        log(state, svc, inst, 'Method "%s" exited with status %d.' % (method, 96))
        return Result('fatal', status=96)
    logfd = os.open(logpath, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        with open(os.devnull, 'rb') as devnull:
            # pylint: disable-next=consider-using-with
            proc = subprocess.Popen(['/bin/sh', '-c', 'exec ' + expanded], stdin=devnull, stdout=logfd, stderr=logfd,
                                    cwd=workdir, env=env, close_fds=True, start_new_session=True, **popen_user)
    finally:
        os.close(logfd)
    if method == 'start' and model == 'child':
        return Result('ok', sid=proc.pid)
    try:
        proc.wait(timeout if timeout > 0 else None)
    except subprocess.TimeoutExpired:
        log(state, svc, inst, 'Method or service exit timed out.  Killing contract %s.' % (ctid or proc.pid))
        kill_session(proc.pid)
        proc.wait()
        return Result('timeout', sid=proc.pid)
    code = proc.returncode
    if code < 0:
        name = signal.Signals(-code).name[3:]
        log(state, svc, inst, 'Method "%s" failed due to signal %s.' % (method, name))
        return Result('fail', sig=-code, sid=proc.pid)
    log(state, svc, inst, 'Method "%s" exited with status %d.' % (method, code))
    if code in (0, 94):
        return Result('ok', status=code, sid=proc.pid)
    return Result('fatal' if code in FATAL_EXITS else 'fail', status=code, sid=proc.pid)


# ---------------------------------------------------------------- dependencies

def _entity_state(state, doc, fmri):
    """``online`` / ``offline`` (may come up) / ``disabled`` / ``maintenance`` / ``absent``."""
    if fmri.startswith('file:'):
        path = fmri[len('file:'):]
        if path.startswith('//'):
            path = '/' + path[2:].split('/', 1)[1] if '/' in path[2:] else '/'
        return 'online' if os.path.exists(state.host_path(path)) else 'absent'
    parsed = smfrepo.split_fmri(fmri)
    services = doc.get('services', {})
    if not parsed or parsed[0] not in services:
        return 'absent'
    svc, inst = parsed
    names = [inst] if inst else sorted(services[svc]['instances'])
    states = []
    for name in names:
        entry = services[svc]['instances'].get(name)
        if entry is None:
            continue
        states.append(instance_state_word(entry))
    if not states:
        return 'absent'
    for word in ('online', 'offline', 'maintenance', 'disabled'):
        if word in states:
            return word
    return states[0]


def instance_state_word(inst):
    rt = inst['rt']
    if rt['state'] in ('online', 'degraded'):
        return 'online'
    if rt['state'] == 'maintenance':
        return 'maintenance'
    if not smfrepo.effective_enabled(inst):
        return 'disabled'
    return 'offline'


def dependency_status(state, doc, view):
    """``("ok"|"wait"|"never", culprit fmri, culprit state)`` for an enabled offline instance."""
    worst = ('ok', None, None)
    for name in sorted(view):
        group = view[name]
        if group['type'] != 'dependency':
            continue
        grouping = get_value(view, name, 'grouping', 'require_all')
        entities = group['props'].get('entities', {'values': []})['values']
        states = [(e, _entity_state(state, doc, e)) for e in entities]
        if grouping == 'exclude_all':
            bad = [(e, s) for e, s in states if s in ('online', 'maintenance')]
            verdict = ('never',) + bad[0] if bad else ('ok', None, None)
        elif grouping == 'optional_all':
            pending = [(e, s) for e, s in states if s == 'offline']
            verdict = ('wait',) + pending[0] if pending else ('ok', None, None)
        elif grouping == 'require_any':
            if not states or any(s == 'online' for _e, s in states):
                verdict = ('ok', None, None)
            elif any(s == 'offline' for _e, s in states):
                verdict = ('wait',) + [x for x in states if x[1] == 'offline'][0]
            else:
                verdict = ('never',) + states[0]
        else:
            never = [(e, s) for e, s in states if s in ('absent', 'disabled', 'maintenance')]
            pending = [(e, s) for e, s in states if s == 'offline']
            verdict = ('never',) + never[0] if never else (('wait',) + pending[0] if pending else ('ok', None, None))
        if verdict[0] == 'never':
            return verdict
        if verdict[0] == 'wait' and worst[0] == 'ok':
            worst = verdict
    return worst


# ---------------------------------------------------------------- the state machine

def set_state(rt, new, aux=None):
    rt['state'] = new
    rt['next_state'] = 'none'
    rt['stime'] = time.time()
    if aux is not None:
        rt['aux_state'] = aux


class Step:
    """One method run a plan asks for: ``start``, ``stop`` (to ``target``) or ``refresh``."""

    def __init__(self, svc, inst, action, target=None, aux=None, restart_check=False):
        self.svc = svc
        self.inst = inst
        self.action = action
        self.target = target
        self.aux = aux
        self.restart_check = restart_check
        self.view = None
        self.model = None
        self.ctid = None
        self.sid = None


def _rate(view):
    try:
        count = min(10, max(1, int(get_value(view, 'startd', 'critical_failure_count', RINST_START_TIMES))))
        period = int(get_value(view, 'startd', 'critical_failure_period', RINST_FAILURE_PERIOD))
    except ValueError:
        count, period = RINST_START_TIMES, RINST_FAILURE_PERIOD
    return count, period


def _plan_once(state, doc, svc, iname, table):  # pylint: disable=too-many-return-statements,too-many-branches
    service = doc['services'][svc]
    inst = service['instances'][iname]
    rt = inst['rt']
    view = smfrepo.running_view(service, inst)
    enabled = smfrepo.effective_enabled(inst)
    pend = rt['pending']
    cur = rt['state']

    def say(message):
        log(state, svc, iname, message)

    if rt.get('non_process'):
        # the platform's own services: nothing to run, they follow their enabled flag
        want = 'online' if enabled else 'disabled'
        pend[:] = []
        if cur != want and cur not in ('maintenance',):
            set_state(rt, want)
            return None, True
        return None, False
    if cur == 'maintenance':
        if 'maint_off' in pend:
            pend.remove('maint_off')
            say('Leaving maintenance because clear requested.')
            kill_session(rt.get('sid'))
            rt.update(ctid=None, sid=None, faults=0, start_times=[], restart_check=False)
            set_state(rt, 'offline' if enabled else 'disabled', 'clear_request')
            return None, True
        if not enabled:
            say('Leaving maintenance because disable requested.')
            kill_session(rt.get('sid'))
            rt.update(ctid=None, sid=None)
            set_state(rt, 'disabled', 'disable_request')
            pend[:] = []
            return None, True
        pend[:] = [p for p in pend if p == 'maint_off']
        return None, False
    if 'maint_on' in pend:
        pend.remove('maint_on')
        if cur in ('online', 'degraded'):
            say('Stopping for maintenance due to administrative_request.')
            return Step(svc, iname, 'stop', 'maintenance', 'administrative_request'), True
        set_state(rt, 'maintenance', 'administrative_request')
        return None, True
    if not enabled:
        pend[:] = []
        if cur in ('online', 'degraded'):
            say('Stopping because service disabled.')
            return Step(svc, iname, 'stop', 'disabled', 'disable_request'), True
        if cur != 'disabled':
            say('Disabled.')
            set_state(rt, 'disabled', 'disable_request')
            return None, True
        return None, False
    if cur in ('disabled', 'uninitialized'):
        say('Enabled.')
        set_state(rt, 'offline', 'enable_request')
        return None, True
    if 'refresh' in pend:
        pend.remove('refresh')
        say('Rereading configuration.')
        if cur in ('online', 'degraded'):
            if 'refresh' in view:
                return Step(svc, iname, 'refresh'), True
            say("No 'refresh' method defined.  Treating as :true.")
        return None, True
    if cur == 'offline':
        pend[:] = [p for p in pend if p not in ('restart', 'restore', 'degrade')]
        if dependency_status(state, doc, view)[0] != 'ok':
            return None, False
        if rt.get('restart_check'):
            count, period = _rate(view)
            now = time.time()
            recent = [t for t in rt['start_times'] if now - t < period]
            if len(recent) >= count:
                say('Restarting too quickly, changing state to maintenance.')
                rt['restart_check'] = False
                set_state(rt, 'maintenance', 'restarting_too_quickly')
                return None, True
        return Step(svc, iname, 'start'), True
    if cur in ('online', 'degraded'):
        if 'restart' in pend:
            pend.remove('restart')
            say('Stopping because service restarting.')
            return Step(svc, iname, 'stop', 'offline', 'restart_request'), True
        if 'restore' in pend:
            pend.remove('restore')
            set_state(rt, 'online', 'restore_request')
            return None, True
        if 'degrade' in pend:
            pend.remove('degrade')
            set_state(rt, 'degraded', 'administrative_request')
            return None, True
        if rt.get('sid') and not session_pids(rt['sid'], table):
            say('Stopping because all processes in service exited.')
            # the child (wait) model is throttled, never sent to maintenance, for exiting (§7.4)
            return Step(svc, iname, 'stop', 'offline', 'ct_ev_exit', restart_check=model_of(view) != 'child'), True
    return None, False


def _plan(state, doc, svc, iname, table):
    rt = doc['services'][svc]['instances'][iname]['rt']
    busy = rt.get('busy')
    if busy:
        if busy != os.getpid() and pid_alive(busy):
            return None  # another tool is running this instance's method
        rt['busy'] = None
        rt['next_state'] = 'none'
    for _attempt in range(20):
        step, again = _plan_once(state, doc, svc, iname, table)
        if step or not again:
            break
    if step is None:
        return None
    service = doc['services'][svc]
    inst = service['instances'][iname]
    step.view = smfrepo.running_view(service, inst)
    step.model = model_of(step.view)
    rt['busy'] = os.getpid()
    if step.action == 'start':
        rt['next_state'] = 'online'
        step.ctid = doc.get('next_ctid', 1000)
        doc['next_ctid'] = step.ctid + 1
        rt['start_times'] = [t for t in rt['start_times'] if time.time() - t < 3600] + [time.time()]
    elif step.action == 'stop':
        rt['next_state'] = step.target
        step.sid = rt.get('sid')
        step.ctid = rt.get('ctid')
    else:
        step.sid = rt.get('sid')
    return step


def _execute(state, step):
    if step.action == 'start':
        return run_method(state, step.svc, step.inst, step.view, 'start', step.model, ctid=step.ctid)
    if step.action == 'refresh':
        return run_method(state, step.svc, step.inst, step.view, 'refresh', step.model, sid=step.sid)
    started = time.time()
    result = run_method(state, step.svc, step.inst, step.view, 'stop', step.model, ctid=step.ctid, sid=step.sid)
    if step.sid and step.model != 'transient':
        try:
            timeout = int(get_value(step.view, 'stop', 'timeout_seconds', '0') or 0)
        except ValueError:
            timeout = 0
        left = (timeout - (time.time() - started)) if timeout > 0 else INFINITE_WAIT_CAP
        if not wait_empty(step.sid, max(0.0, left)):
            log(state, step.svc, step.inst, 'Method or service exit timed out.  Killing contract %s.' % step.ctid)
            kill_session(step.sid)
    return result


def _apply(doc, step, result):
    service = doc.get('services', {}).get(step.svc)
    if not service or step.inst not in service['instances']:
        if result.sid and step.action == 'start':
            kill_session(result.sid)
        return
    inst = service['instances'][step.inst]
    rt = inst['rt']
    rt['busy'] = None
    rt['next_state'] = 'none'
    if step.action == 'refresh':
        return
    if step.action == 'stop':
        rt.update(ctid=None, sid=None)
        rt['restart_check'] = step.restart_check
        set_state(rt, step.target, step.aux)
        return
    # start
    if result.kind == 'ok':
        rt['faults'] = 0
        rt['last'] = {'status': result.status}
        if step.model == 'transient' or not result.sid:
            rt.update(ctid=None, sid=None)
        else:
            rt.update(ctid=step.ctid, sid=result.sid)
        set_state(rt, 'online', 'none')
        return
    kill_session(result.sid)
    rt.update(ctid=None, sid=None)
    rt['last'] = {'status': result.status, 'signal': result.sig}
    retry = result.kind == 'fail' or (result.kind == 'timeout' and get_value(step.view, 'startd', 'timeout_retry', 'true') != 'false')
    if not retry:
        set_state(rt, 'maintenance', 'method_failed')
        return
    rt['faults'] = rt.get('faults', 0) + 1
    if rt['faults'] >= FAULT_THRESHOLD:
        set_state(rt, 'maintenance', 'fault_threshold_reached')
        return
    set_state(rt, 'offline', 'method_failed')


def drive(state, max_steps=500):
    """Let the restarter work until nothing is left to do (every instance settled)."""
    for _step in range(max_steps):
        with state.lock():
            doc = state.load('smf')
            if doc.get('down'):
                return  # shut down: no restarter until the next boot
            before = json.dumps(doc, sort_keys=True)
            pairs = smfrepo.all_instances(doc)
            tracked = any(doc['services'][s]['instances'][i]['rt'].get('sid') for s, i in pairs)
            table = proc_table() if tracked else {}
            step = None
            for svc, iname in pairs:
                step = _plan(state, doc, svc, iname, table)
                if step:
                    break
            if json.dumps(doc, sort_keys=True) != before:
                state.save('smf', doc)
        if step is None:
            return
        result = _execute(state, step)
        with state.lock():
            doc = state.load('smf')
            _apply(doc, step, result)
            state.save('smf', doc)


def stop_all(state):
    """Shutdown: stop every running instance (stop methods, then the contracts are killed)."""
    with state.lock():
        doc = state.load('smf')
        steps = []
        for svc, iname in smfrepo.all_instances(doc):
            service = doc['services'][svc]
            inst = service['instances'][iname]
            rt = inst['rt']
            if rt.get('non_process'):
                continue
            if rt['state'] in ('online', 'degraded'):
                step = Step(svc, iname, 'stop', 'offline', 'none')
                step.view = smfrepo.running_view(service, inst)
                step.model = model_of(step.view)
                step.sid, step.ctid = rt.get('sid'), rt.get('ctid')
                steps.append(step)
            elif rt.get('sid'):
                kill_session(rt['sid'])
    for step in steps:
        result = _execute(state, step)
        kill_session(step.sid)
        with state.lock():
            doc = state.load('smf')
            _apply(doc, step, result)
            state.save('smf', doc)
    with state.lock():
        doc = state.load('smf')
        doc['down'] = True
        state.save('smf', doc)
