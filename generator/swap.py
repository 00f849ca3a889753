"""Putting a freshly built folder in place so that a kill at any instant leaves a whole site.

The new site is built in a work folder beside site/ (same filesystem), then:

  * where Linux offers it, one renameat2(RENAME_EXCHANGE) swaps the two folders in a single
    step: site/ is the old site before it and the new one after it, never anything else;
  * elsewhere, two renames: site/ -> <work>/retired, then <work>/site -> site/. A kill between
    them leaves no site/, but the old one whole in <work>/retired; the next build (or
    `recover`) moves it back before doing anything else.

Work folders are named .nenguide-build-<pid>-*, so a later run can tell the folders of a
killed build (its process is gone) from those of a build still running, and removes them.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
from pathlib import Path

WORK_PREFIX = ".nenguide-build-"
RETIRED = "retired"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1


def work_prefix() -> str:
    return f"{WORK_PREFIX}{os.getpid()}-"


def replace(new: Path, target: Path) -> None:
    """Put `new` in place of `target`. Afterwards `new` holds the old folder (if there was
    one), which the caller removes with its work folder."""
    if not target.exists():
        new.rename(target)
        return
    if exchange(new, target):
        return
    retired = new.parent / RETIRED
    target.rename(retired)
    try:
        new.rename(target)
    except OSError:
        retired.rename(target)
        raise
    retired.rename(new)  # as after an exchange: the old folder where the new one was


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False when the system or filesystem cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def recover(site_dir: Path, marker: str) -> list[Path]:
    """Clean up after killed builds next to site_dir: a whole site (one holding `marker`) left
    in a dead build's work folder goes back in place if site_dir is missing; the dead builds'
    folders are removed. Returns the folders removed."""
    removed = []
    for work in sorted(site_dir.parent.glob(f"{WORK_PREFIX}*")):
        if not work.is_dir() or _alive(work):
            continue
        for name in (RETIRED, site_dir.name):  # the old site, or a finished new one
            left = work / name
            if not site_dir.exists() and (left / marker).is_file():
                left.rename(site_dir)
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    return removed


def _alive(work: Path) -> bool:
    """Whether the build that made this work folder is still running."""
    pid_text = work.name[len(WORK_PREFIX):].split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # a folder from before the pid was in the name: no build owns it
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent() -> None:
    """In a child process (preexec_fn): be killed when the build that started it dies, so a
    killed build leaves no MkDocs running (Linux; elsewhere a no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        pass
