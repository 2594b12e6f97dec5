"""Training runs in child processes (`distributed_run.py`) and what their tests compare: shared by the
distribution tests and the crash-and-resume tests."""

import json
import os
import subprocess
import sys

import numpy as np

from task_samples import tiny_settings, write_task_samples

RUNNER = os.path.join(os.path.dirname(__file__), "distributed_run.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def task_settings(task, root):
    """Settings for `task` on small real data (bundled samples) whose batches all hold the global batch, with
    no randomness but the one a test adds (dropout, label smoothing off)."""
    extra = {"translator": ["model.dropout=0", "model.input_dropout=0", "model.output_dropout=0",
                            "training.label_smoothing=0"],
             "tagger": ["model.input_dropout=0"]}
    return tiny_settings(task, write_task_samples(root)) + extra.get(task, [])

def folders(root, name):
    return [f"name={name}", f"output_dir={root}/saved", f"checkpoint_dir={root}/checkpoints", f"log_dir={root}/runs"]


def start(spec, path, tf_config=None):
    path.write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ROOT}
    env.pop("TF_CONFIG", None)
    if tf_config:
        env["TF_CONFIG"] = json.dumps(tf_config)
    log = open(f"{path}.log", "w", encoding="utf-8")  # noqa: SIM115  closed by finish()
    process = subprocess.Popen([sys.executable, RUNNER, str(path)], env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    return process


def finish(process, path, timeout=300):
    try:
        code = process.wait(timeout=timeout)
    finally:
        process.log.close()
    output = open(f"{path}.log", encoding="utf-8").read()
    assert code == 0, output[-3000:]
    return output


def run_alone(spec, path, tf_config=None):
    return finish(start(spec, path, tf_config), path)


def compare(reference, other, tolerance):
    """The largest difference of the per-step losses and of the final weights of two runs' npz files."""
    a, b = np.load(reference), np.load(other)
    assert int(a["steps"]) == int(b["steps"])
    assert a["step_loss"].shape == b["step_loss"].shape
    # Relative as well: a tagger's CRF loss sums over a sentence's tokens (tens of nats), rounding with it.
    np.testing.assert_allclose(a["step_loss"], b["step_loss"], atol=tolerance, rtol=tolerance)
    weights = sorted(k for k in a.files if k.startswith("weight_"))
    assert weights and weights == sorted(k for k in b.files if k.startswith("weight_"))
    for key in weights:
        np.testing.assert_allclose(a[key], b[key], atol=tolerance, rtol=0)
