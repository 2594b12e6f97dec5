"""One training run per output folder: a second run that would write the same checkpoint or model stops."""

import contextlib
import datetime
import json
import os
import platform

import filelock


class RunLockedError(RuntimeError):
    """Another training run holds the folder this one would write."""


def _holder(info_path):
    try:
        with open(info_path, encoding="utf-8") as handle:
            info = json.load(handle)
        return (f"process {info.get('pid')} on {info.get('host')}, started {info.get('started')}: "
                f"{info.get('command')}")
    except (OSError, ValueError):
        return "a process that has not written its details yet"


@contextlib.contextmanager
def run_lock(folders, command=""):
    """Holds a lock beside each of `folders` (`<folder>.lock`) for the duration of a run.

    A second run that asks for any of them fails at once with `RunLockedError`, naming the running one
    (its process, host, start time and command, kept in `<folder>.lock.json`). The operating system frees
    a lock whose process died (`kill -9` included), so a crashed run never blocks the next one.

    Example:
    >>> with run_lock(["checkpoints/lm", "saved_models/lm"], command="seqtk train lm"):
    ...     train()
    """
    with contextlib.ExitStack() as held:
        for folder in folders:
            folder = os.path.abspath(folder)
            os.makedirs(os.path.dirname(folder), exist_ok=True)
            lock = filelock.FileLock(folder + ".lock", timeout=0)
            try:
                held.enter_context(lock)
            except filelock.Timeout:
                raise RunLockedError(
                    f"{folder} is being written by another training run ({_holder(folder + '.lock.json')}). "
                    "Wait for it to finish, or give this run another name (--set name=...)."
                ) from None
            info_path = folder + ".lock.json"
            temporary = info_path + ".tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"pid": os.getpid(), "host": platform.node(), "command": command,
                           "started": datetime.datetime.now().isoformat(timespec="seconds")}, handle)
            os.replace(temporary, info_path)
            held.callback(_remove, info_path)
        yield


def _remove(path):
    with contextlib.suppress(OSError):
        os.remove(path)
