# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``imgadm``: installed and available images as parsed JSON.

``imgadm list -j`` prints ``[{"manifest": {...}, "zpool": ..., "source": ...}]``; ``imgadm get``
exits 3 for an image that is not installed. Reference: smartos-live ``src/img/lib/cli.js``.
"""

from __future__ import annotations

import json

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError

NOT_INSTALLED_RC = 3


class Imgadm(object):
    """The subcommands of imgadm that the resources need."""

    def __init__(self, runner):
        self.runner = runner

    def _json(self, args, ok_rcs=(0,)):
        rc, out, _err = self.runner.run('imgadm', args, ok_rcs=ok_rcs)
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            raise SmartOSCommandError(['imgadm'] + list(args), rc, out, '', 'imgadm printed something that is not JSON: %r' % out[:200])

    def list(self, filters=None):
        """Installed images: ``[{'manifest': {...}, 'zpool': ..., 'source': ...}]``."""
        args = ['list', '-j'] + ['%s=%s' % (k, filters[k]) for k in sorted(filters or {})]
        return self._json(args)

    def get(self, uuid):
        """One installed image, or None when it is not installed (imgadm exits 3)."""
        return self._json(['get', uuid], ok_rcs=(0, NOT_INSTALLED_RC))

    def avail(self, filters=None):
        """Images the sources offer: a list of manifests."""
        args = ['avail', '-j'] + ['%s=%s' % (k, filters[k]) for k in sorted(filters or {})]
        return self._json(args)

    def import_image(self, uuid, source=None, pool='zones'):
        args = ['import', '-q', '-P', pool] + (['-S', source] if source else []) + [uuid]
        self.runner.run('imgadm', args)

    def delete(self, uuid, pool='zones'):
        self.runner.run('imgadm', ['delete', '-P', pool, uuid])
