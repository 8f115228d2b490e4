"""getopt(3C) as zfs(8) and zpool(8) call it.

illumos zfs_main.c and zpool_main.c both run libc getopt(3C) with opterr = 0 (no argument
permutation, no libc diagnostic) and print the same two messages themselves for '?' and ':'
("invalid option '%c'", "missing argument for '%c' option"), so the two simulated tools share
this parser and each turns GetoptError into its own usage error.
"""


def getopt(argv, optstring):
    """([(opt, arg)], rest); GetoptError(kind, optopt, opts so far) where getopt returns '?' or ':'."""
    colon_mode = optstring.startswith(':')
    spec = optstring.lstrip(':')
    opts = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == '--':
            i += 1
            break
        if not arg.startswith('-') or arg == '-':
            break
        j = 1
        while j < len(arg):
            char = arg[j]
            pos = spec.find(char)
            if pos < 0 or char == ':':
                raise GetoptError('?', char, opts)
            takes = pos + 1 < len(spec) and spec[pos + 1] == ':'
            if takes:
                if j + 1 < len(arg):
                    opts.append((char, arg[j + 1:]))
                elif i + 1 < len(argv):
                    i += 1
                    opts.append((char, argv[i]))
                else:
                    raise GetoptError(':' if colon_mode else '?', char, opts)
                break
            opts.append((char, None))
            j += 1
        i += 1
    return opts, argv[i:]


class GetoptError(Exception):
    """getopt returned '?' (unknown option, or a missing argument without a leading ':') or ':'."""

    def __init__(self, kind, optopt, opts):
        super().__init__(kind, optopt)
        self.kind = kind
        self.optopt = optopt
        self.opts = opts


def parse(argv, optstring, usage_error, on_missing=None):
    """getopt, raising the tool's ``usage_error`` with "invalid option 'X'" for '?' and, for ':',
    ``on_missing % X`` (default "missing argument for 'X' option") as both tools' main loops do."""
    try:
        return getopt(argv, optstring)
    except GetoptError as exc:
        if exc.kind == ':':
            raise usage_error((on_missing or "missing argument for '%s' option") % exc.optopt) from None
        raise usage_error("invalid option '%s'" % exc.optopt) from None
