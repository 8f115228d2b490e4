"""The property printing zfs(8) and zpool(8) share.

In illumos both tools print ``get`` and ``list`` output through the same libzfs code
(illumos-gate usr/src/lib/libzfs/common/libzfs_util.c: zprop_get_list, zprop_print_one_property;
zfs_main.c print_header/print_dataset and zpool_main.c print_header/print_pool lay out list
rows the same way), so the simulated tools share this module instead of each keeping a copy.
A column object here is anything with ``name``, ``width``, ``right`` and ``native`` (the
property definition, or None).
"""

import sys


class Column:
    """One column of a ``get``/``list`` printout: a native property (``native``, its definition) or
    a user/feature property (``native`` None, printed under its name upper-cased, left-aligned).

    Width rules are libzfs's: a native column starts at the wider of its header and its fixed
    values (``width()`` of the definition); ``name`` starts at 4 and grows with the data.
    """

    def __init__(self, name, native, all_=False):
        self.name = name          # canonical native name, or the user property as typed
        self.native = native      # the property definition, or None
        self.all = all_
        if native is not None:
            self.width, self.fixed = native.width()
            if native.name == 'name':
                self.width, self.fixed = 4, False
        else:
            self.width, self.fixed = len(name), False

    @property
    def right(self):
        return self.native is not None and self.native.right_aligned

    @property
    def header(self):
        return self.native.colname if self.native is not None else self.name.upper()


def parse_get_fields(arg, known):
    """``get -o`` (both tools parse it with getsubopt): the column names; ValueError(message) on a bad one.

    ``known`` is the tool's column list in order; "all" selects all of it.
    """
    columns = []
    for tok in arg.split(','):
        name = tok.split('=', 1)[0]
        if len(columns) == 5:
            raise ValueError('too many fields given to -o option')
        if name not in tuple(known) + ('all',):
            raise ValueError("invalid column name '%s'" % tok)
        if name == 'all':
            if columns:
                raise ValueError('"all" conflicts with specific fields given to -o option')
            columns = list(known)
            break
        columns.append(name)
    return columns


def get_widths(cols):
    """The ``get`` column widths (cb_colwidths), grown from the property list as zprop_get_list does."""
    widths = {'name': 4, 'property': 8, 'value': 5, 'received': 8, 'source': 6}
    for i, col in enumerate(cols):
        widths['property'] = max(widths['property'], len(col.name))
        if i > 0:
            widths['value'] = max(widths['value'], col.width)
        if col.name == 'name' and col.native is not None and col.width > widths['name']:
            widths['name'] = col.width
            widths['source'] = col.width + len('inherited from')
    return widths


def get_line(values, columns, widths, scripted):
    """One ``get`` line: tab-separated when scripted, else padded to the widths; the last column unpadded."""
    parts = []
    for i, value in enumerate(values):
        if i == len(values) - 1:
            parts.append(value)
        elif scripted:
            parts.append(value + '\t')
        else:
            parts.append(value.ljust(widths[columns[i]]) + '  ')
    return ''.join(parts)


class GetPrinter:
    """zprop_print_one_property: the header before the first property printed (never when scripted), then rows."""

    def __init__(self, columns, widths, scripted):
        self.columns, self.widths, self.scripted = columns, widths, scripted
        self.first = True

    def row(self, row):
        """Print one property; ``row`` maps every column name to its text."""
        if self.first:
            self.first = False
            if not self.scripted:
                sys.stdout.write(get_line([c.upper() for c in self.columns], self.columns, self.widths, False) + '\n')
        sys.stdout.write(get_line([row[c] for c in self.columns], self.columns, self.widths, self.scripted) + '\n')


def list_line(values, cols):
    """One ``list`` line: right-aligned columns padded left, the last left-aligned column unpadded."""
    parts = []
    for i, (value, col) in enumerate(zip(values, cols)):
        if i == len(cols) - 1 and not col.right:
            parts.append(value)
        elif col.right:
            parts.append(value.rjust(col.width))
        else:
            parts.append(value.ljust(col.width))
    return '  '.join(parts)
