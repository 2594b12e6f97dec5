"""One training run per output folder: a second run that would write the same checkpoint or model stops."""

import contextlib
import datetime
import hashlib
import json
import os
import platform
import tempfile

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


def lock_path(folder):
    """Where the lock of `folder` lives: the system's temporary folder, named by the folder's absolute path,
    so that taking it creates nothing among the user's folders (a run that fails early leaves them as they
    were). Runs on one machine see each other's locks; runs on two machines sharing a folder do not."""
    digest = hashlib.sha256(os.path.abspath(folder).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return os.path.join(tempfile.gettempdir(), "seqtk-locks", f"{digest}.lock")


@contextlib.contextmanager
def run_lock(folders, command=""):
    """Holds a lock for each of `folders` (`lock_path(folder)`) for the duration of a run.

    A second run that asks for any of them fails at once with `RunLockedError`, naming the running one
    (its process, host, start time and command, kept beside the lock in `.json`). The operating system frees
    a lock whose process died (`kill -9` included), so a crashed run never blocks the next one.

    Example:
    >>> with run_lock(["checkpoints/lm", "saved_models/lm"], command="seqtk train lm"):
    ...     train()
    """
    with contextlib.ExitStack() as held:
        for folder in folders:
            folder = os.path.abspath(folder)
            path = lock_path(folder)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            lock = filelock.FileLock(path, timeout=0)
            try:
                held.enter_context(lock)
            except filelock.Timeout:
                raise RunLockedError(
                    f"{folder} is being written by another training run ({_holder(path + '.json')}). "
                    "Wait for it to finish, or give this run another name (--set name=...)."
                ) from None
            info_path = path + ".json"
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
