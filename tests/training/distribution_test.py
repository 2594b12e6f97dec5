"""tf.distribute for every task: replicas on logical CPU devices and workers on 127.0.0.1 stand in for GPUs
and machines; each distributed run is compared with a one-device run of the same global batch."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from seqtk.data.text_sources import BUNDLED, read_text_file
from seqtk.tasks import task_names
from seqtk.training.config import ConfigError
from seqtk.training.distribution import (
    Distribution,
    auto_choice,
    check_batch_sizes,
    choose_distribution,
    read_tf_config,
)
from subprocess_runs import ROOT, compare, finish, folders, run_alone, start, task_settings

# Plain SGD and no dropout: the only difference between the runs is where the arithmetic happens.
COMMON = ["training.verbose=0", "training.optimizer=sgd", "training.learning_rate=0.5", "training.jit_compile=false",
          "training.time_budget_minutes=0", "training.early_stopping_patience=5"]


def cluster(workers=2):
    ports = []
    for _ in range(workers):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    return {"worker": [f"127.0.0.1:{port}" for port in ports]}


class TfConfigTest:
    def test_unset_means_one_process(self):
        assert read_tf_config({}) is None
        assert read_tf_config({"TF_CONFIG": "  "}) is None

    def test_a_valid_one_is_read(self):
        config = {"cluster": cluster(), "task": {"type": "worker", "index": 1}}
        assert read_tf_config({"TF_CONFIG": json.dumps(config)}) == config

    @pytest.mark.parametrize("text, message", [
        ("{cluster: 1}", "not valid JSON"),
        ('{"task": {"type": "worker", "index": 0}}', "no \"cluster\""),
        ('{"cluster": {"worker": ["a:1", "b:2"]}}', "names this worker nowhere"),
        ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 2}}', "index 2 is not in"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}', "'ps' index 0 is not in"),
    ])
    def test_a_bad_one_names_the_fix(self, text, message):
        with pytest.raises(ConfigError, match=message) as caught:
            read_tf_config({"TF_CONFIG": text})
        assert "TF_CONFIG" in str(caught.value)

    def test_multi_worker_without_tf_config_says_what_to_set(self):
        with pytest.raises(ConfigError, match="multi_worker needs TF_CONFIG"):
            choose_distribution("multi_worker", log=lambda *a: None, environ={})


class ChoiceTest:
    def test_auto_on_this_machine_is_one_device_and_says_why(self):
        distribution = choose_distribution("auto", environ={})
        assert distribution.kind == "none" and distribution.strategy is None
        assert "auto: no GPU or TPU" in distribution.describe(32)

    @pytest.mark.parametrize("workers, tpu, gpus, kind", [
        (2, None, 0, "multi_worker"), (1, None, 0, "none"), (0, "TPU_NAME=t1", 8, "tpu"), (0, None, 4, "mirrored"),
        (0, None, 1, "none")])
    def test_auto_picks_from_what_is_there(self, workers, tpu, gpus, kind):
        tf_config = {"cluster": cluster(workers), "task": {"type": "worker", "index": 0}} if workers else None
        chosen, reason = auto_choice(tf_config, tpu, gpus)
        assert chosen == kind and reason

    def test_tpu_that_is_not_there_is_an_error_before_anything_runs(self):
        with pytest.raises(ConfigError, match="no TPU is reachable.*training.distribution=auto"):
            choose_distribution("tpu", environ={})

    def test_an_unknown_kind_lists_the_choices(self):
        with pytest.raises(ConfigError, match="auto, none, mirrored, multi_worker, tpu"):
            choose_distribution("horovod", environ={})

    def test_a_global_batch_the_replicas_cannot_share_is_refused(self):
        four = Distribution("mirrored", replicas=4)
        check_batch_sizes(four, [("training.batch_size", 32)])
        with pytest.raises(ConfigError, match=r"training.eval_batch_size=30 .* 4 replicas .*=28 or 32"):
            check_batch_sizes(four, [("training.batch_size", 32), ("training.eval_batch_size", 30)])

    def test_several_cpu_replicas_turn_xla_off_and_gpus_keep_it(self):
        cpus = Distribution("mirrored", replicas=2, devices=("/device:CPU:0", "/device:CPU:1"))
        gpus = Distribution("mirrored", replicas=2, devices=("/device:GPU:0", "/device:GPU:1"))
        assert "XLA" in cpus.xla_conflict() and gpus.xla_conflict() is None
        assert Distribution("none", devices=("CPU:0",)).xla_conflict() is None


class ShardingTest:
    two = Distribution("multi_worker", replicas=2, workers=2, worker_index=1, chief=False)

    def test_auto_shards_by_file_when_every_worker_gets_one(self):
        said = []
        assert self.two.sharding("auto", ["a.txt", "b.txt", "c.txt"], said.append) == "file"
        assert self.two.files_of_worker(["a.txt", "b.txt", "c.txt"]) == ["b.txt"]
        assert said == ["Sharded by file: worker 1 trains on 1 of 3 files (b.txt)."]

    def test_auto_shards_by_data_with_fewer_files_than_workers(self):
        assert self.two.sharding("auto", ["a.txt"], lambda *a: None) == "data"
        assert self.two.sharding("data", ["a.txt", "b.txt"], lambda *a: None) == "data"
        assert Distribution("mirrored", replicas=2).sharding("file", ["a.txt"], lambda *a: None) == "data"

    def test_file_sharding_that_cannot_be_honoured_says_why(self):
        with pytest.raises(ConfigError, match="1 file\\(s\\) for 2 workers.*training.shard=data"):
            self.two.sharding("file", ["a.txt"], lambda *a: None)
        gpus = Distribution("multi_worker", replicas=4, workers=2)
        with pytest.raises(ConfigError, match="one replica per worker"):
            gpus.sharding("file", ["a.txt", "b.txt"], lambda *a: None)


class CommandLineErrorTest:
    def test_bad_tf_config_stops_before_any_file_is_written(self, tmp_path):
        env = {**os.environ, "TF_CONFIG": "{not json", "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "2"}
        done = subprocess.run(
            [sys.executable, "-m", "seqtk.cli", "train", "lm", "--config", "shakespeare_char",
             "--distribution", "multi_worker", "--set", f"output_dir={tmp_path}/saved",
             "--set", f"checkpoint_dir={tmp_path}/checkpoints", "--set", f"log_dir={tmp_path}/runs"],
            env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "TF_CONFIG is not valid JSON" in done.stderr
        assert os.listdir(tmp_path) == []


@pytest.mark.large
@pytest.mark.parametrize("task", task_names())
def test_mirrored_on_two_devices_matches_one_device_step_by_step(task, tmp_path):
    """2 logical CPU devices, the same global batch: every step's loss and the final weights agree."""
    # No clipping: Keras clips each replica's share of the gradients before they are summed, which differs from
    # clipping their sum once a norm reaches clipnorm (docs/distributed.md).
    settings = task_settings(task, tmp_path) + COMMON + ["training.epochs=2", "training.clipnorm=0"]
    if task == "classifier":  # ULMFiT's per-group rates and unfreezing rescale each step's update too
        settings += ["training.discriminative_decay=2.6", "training.gradual_unfreezing=true"]
    runs = [{"settings": settings + folders(tmp_path, f"{task}_{kind}") + [f"training.distribution={kind}"],
             "out": str(tmp_path / f"{kind}.npz")} for kind in ("none", "mirrored")]
    output = run_alone({"task": task, "runs": runs, "cpu_replicas": 2}, tmp_path / "runs.json")
    assert "mirrored across 2 replicas" in output and " per replica" in output
    compare(tmp_path / "none.npz", tmp_path / "mirrored.npz", tolerance=2e-6)


@pytest.mark.large
def test_two_workers_on_loopback_train_as_one_process_and_only_the_chief_writes(tmp_path):
    settings = task_settings("lm", tmp_path) + COMMON + ["training.epochs=2"]
    run_alone({"task": "lm", "settings": settings + folders(tmp_path / "alone", "lm") +
               ["training.distribution=none"], "out": str(tmp_path / "alone.npz")}, tmp_path / "alone.json")
    addresses = cluster()
    workers = []
    for index in (0, 1):
        root = tmp_path / f"worker{index}"
        spec = {"task": "lm", "settings": settings + folders(root, "lm") + ["training.distribution=multi_worker"],
                "out": str(tmp_path / f"worker{index}.npz")}
        workers.append(start(spec, tmp_path / f"worker{index}.json",
                             {"cluster": addresses, "task": {"type": "worker", "index": index}}))
    outputs = [finish(process, tmp_path / f"worker{i}.json") for i, process in enumerate(workers)]
    assert "this is worker 0 (chief" in outputs[0] and "Worker 1 done; the chief saves the model" in outputs[1]
    assert all("Sharded by data" in output for output in outputs)  # one training file for two workers
    compare(tmp_path / "worker0.npz", tmp_path / "worker1.npz", tolerance=0)
    compare(tmp_path / "alone.npz", tmp_path / "worker0.npz", tolerance=2e-6)
    assert (tmp_path / "worker0" / "saved" / "lm" / "model.keras").exists()
    assert (tmp_path / "worker0" / "checkpoints" / "lm" / "checkpoint" / "last.keras").exists()
    assert not (tmp_path / "worker1").exists()  # the other worker wrote nothing: no model, checkpoint or log


@pytest.mark.large
def test_a_corpus_of_several_files_is_sharded_by_file_across_workers(tmp_path):
    text = read_text_file(BUNDLED["tinyshakespeare"])
    files = [tmp_path / "part_a.txt", tmp_path / "part_b.txt", tmp_path / "valid.txt"]
    for path, part in zip(files, (text[:1500], text[1500:4000], text[4000:4400]), strict=True):
        path.write_text(part, encoding="utf-8")
    settings = task_settings("lm", tmp_path) + COMMON + [
        "training.epochs=1", f"data.train=[{files[0]}, {files[1]}]", f"data.validation=[{files[2]}]",
        "training.distribution=multi_worker"] + folders(tmp_path / "cluster", "lm")
    addresses = cluster()
    workers = [start({"task": "lm", "settings": settings, "out": str(tmp_path / f"f{i}.npz")}, tmp_path / f"f{i}.json",
                     {"cluster": addresses, "task": {"type": "worker", "index": i}}) for i in (0, 1)]
    outputs = [finish(process, tmp_path / f"f{i}.json") for i, process in enumerate(workers)]
    tokens = []
    for index, output in enumerate(outputs):
        assert f"Sharded by file: worker {index} trains on 1 of 2 files (part_{'ab'[index]}.txt)" in output
        tokens.append(int(re.search(r"Tokens: ([\d,]+) train", output).group(1).replace(",", "")))
        # this worker encoded its own file only (the char tokenizer adds no symbol of its own)
        assert abs(tokens[index] - len(files[index].read_text(encoding="utf-8"))) <= 1
    # Each worker's streams hold half the global batch (2 of 4); the smaller shard sets the epoch's steps.
    steps = min((count // 2 - 1) // 20 for count in tokens)
    assert f"Each epoch: {steps} steps" in outputs[0] and f"Each epoch: {steps} steps" in outputs[1]
    compare(tmp_path / "f0.npz", tmp_path / "f1.npz", tolerance=0)  # the workers stayed in sync
    assert int(np.load(tmp_path / "f0.npz")["steps"]) == steps


@pytest.mark.large
def test_a_worker_killed_mid_epoch_resumes_from_the_last_checkpoint_with_no_step_lost(tmp_path):
    settings = task_settings("lm", tmp_path) + COMMON + ["training.epochs=3"] + folders(tmp_path / "alone", "lm")
    run_alone({"task": "lm", "settings": settings + ["training.distribution=none"], "out": str(tmp_path / "alone.npz")},
              tmp_path / "alone.json")
    shared = COMMON + task_settings("lm", tmp_path) + ["training.epochs=3", "training.distribution=multi_worker"] + \
        folders(tmp_path / "cluster", "lm")
    state = tmp_path / "cluster" / "checkpoints" / "lm" / "checkpoint" / "training_state.json"

    def launch(resume, step_sleep):
        addresses = cluster()
        return [start({"task": "lm", "settings": shared, "out": str(tmp_path / f"w{i}.npz"), "resume": resume,
                       "step_sleep": step_sleep}, tmp_path / f"w{i}_{int(resume)}.json",
                      {"cluster": addresses, "task": {"type": "worker", "index": i}}) for i in (0, 1)]

    chief, worker = launch(resume=False, step_sleep=0.05)
    deadline = time.monotonic() + 240
    while not (state.exists() and json.loads(state.read_text())["epoch"] == 0):
        assert time.monotonic() < deadline and chief.poll() is None, "no checkpoint after the first epoch"
        time.sleep(0.1)
    time.sleep(0.5)  # into the second epoch
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.log.close()
    code = chief.wait(timeout=240)  # the chief sees its peer stop sending heartbeats and gives up
    chief.log.close()
    lost = open(tmp_path / "w0_0.json.log", encoding="utf-8").read()
    assert code != 0 and "Restart every worker with --resume" in lost, lost[-3000:]
    assert json.loads(state.read_text())["epoch"] == 0  # the interrupted epoch was never checkpointed

    outputs = [finish(p, tmp_path / f"w{i}_1.json") for i, p in enumerate(launch(resume=True, step_sleep=0))]
    assert all("Resuming lm from epoch 1" in output for output in outputs)
    # The resumed run took exactly the steps of epochs 2 and 3: none lost, none taken twice.
    alone, resumed = np.load(tmp_path / "alone.npz"), np.load(tmp_path / "w0.npz")
    per_epoch = int(alone["steps"]) // 3
    assert int(resumed["steps"]) == 3 * per_epoch and len(resumed["step_loss"]) == 2 * per_epoch
    for key in (k for k in alone.files if k.startswith("weight_")):
        np.testing.assert_allclose(alone[key], resumed[key], atol=2e-6, rtol=0)
    np.testing.assert_allclose(alone["step_loss"][per_epoch:], resumed["step_loss"], atol=2e-6, rtol=0)
