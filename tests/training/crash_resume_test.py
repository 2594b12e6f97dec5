"""Crash-exact resume: a training process killed with SIGKILL at random steps (once while a checkpoint is
being written) and resumed each time ends with the weights of a run that was never interrupted."""

import json
import os
import random
import signal
import time

import numpy as np
import pytest

from seqtk.tasks import task_names
from seqtk.training.checkpoint import snapshot_folder
from subprocess_runs import finish, folders, run_alone, start, task_settings

# Adam (moments, step count), dropout (RNG states), a plateau schedule and early stopping (patience): the
# state a resumed run must get back besides the weights. Deterministic ops make equality exact.
CRASH = ["training.verbose=0", "training.jit_compile=false", "training.time_budget_minutes=0", "training.epochs=3",
         "training.early_stopping_patience=5", "training.checkpoint_every_steps=2"]
DROPOUT = {"lm": ["model.dropout=0.2", "model.weight_dropout=0.2", "model.embedding_dropout=0.1"],
           "classifier": ["model.dropout=0.3"],
           "translator": ["model.dropout=0.2"],
           "tagger": ["model.input_dropout=0.3"]}


def _step(path):
    try:
        return int(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written yet, or being written
        return 0


def _kill_when(process, ready, what, timeout=240):
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.log.close()


@pytest.mark.large
@pytest.mark.parametrize("task", task_names())
def test_three_kills_and_resumes_end_with_the_uninterrupted_weights(tmp_path, task):
    settings = task_settings(task, tmp_path) + CRASH + DROPOUT.get(task, [])
    base = {"task": task, "deterministic": True}
    run_alone({**base, "settings": settings + folders(tmp_path / "alone", task), "out": str(tmp_path / "alone.npz")},
              tmp_path / "alone.json")
    alone = np.load(tmp_path / "alone.npz")
    total = int(alone["steps"])
    checkpoints = tmp_path / "crashed" / "checkpoints" / task
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    progress = tmp_path / "progress.txt"
    spec = {**base, "settings": settings + folders(tmp_path / "crashed", task), "out": str(tmp_path / "crashed.npz"),
            "progress": str(progress), "step_sleep": 0.02}

    # Kill 1: at a random step of the first third, past the first checkpoint.
    first = rng.randint(3, max(3, total // 3))
    process = start({**spec, "resume": False}, tmp_path / "life1.json")
    _kill_when(process, lambda: _step(progress) >= first, f"step {first}")
    state = json.loads(open(os.path.join(snapshot_folder(str(checkpoints)), "training_state.json")).read())
    resumed_at = state["position"]
    assert 2 <= resumed_at <= _step(progress), (seed, state)

    # Kill 2: while the resumed run writes its first checkpoint (the model written, the state not yet).
    stall = tmp_path / "stalled"
    process = start({**spec, "resume": True, "stall_in_checkpoint": str(stall)}, tmp_path / "life2.json")
    _kill_when(process, stall.exists, "checkpoint write")
    assert (checkpoints / ".checkpoint.saving" / "last.keras").exists()  # half a checkpoint, left as it was
    assert snapshot_folder(str(checkpoints)) == str(checkpoints / "checkpoint")
    assert json.loads((checkpoints / "checkpoint" / "training_state.json").read_text())["position"] == resumed_at

    # Kill 3: at a random step of the rest.
    third = rng.randint(resumed_at + 3, max(resumed_at + 3, total - 3))
    progress.unlink()
    process = start({**spec, "resume": True}, tmp_path / "life3.json")
    _kill_when(process, lambda: _step(progress) >= third, f"step {third}")

    output = finish(start({**spec, "resume": True, "step_sleep": 0}, tmp_path / "life4.json"), tmp_path / "life4.json")
    assert "Resuming" in output
    crashed = np.load(tmp_path / "crashed.npz")
    assert int(crashed["steps"]) == total, seed
    weights = sorted(k for k in alone.files if k.startswith("weight_"))
    for key in weights:
        np.testing.assert_array_equal(alone[key], crashed[key], err_msg=f"{key} (kill seed {seed})")
    # The last life's per-step losses are the uninterrupted run's last ones.
    tail = crashed["step_loss"]
    np.testing.assert_array_equal(alone["step_loss"][total - len(tail):], tail, err_msg=f"kill seed {seed}")
    assert not os.path.exists(checkpoints / ".checkpoint.saving")
