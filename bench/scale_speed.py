"""What distribution and mixed precision cost: tokens/s of the language model in one process and in 2 workers.

    python bench/scale_speed.py                 # about 4 minutes on 2 CPU cores
    python bench/scale_speed.py --steps 100 --set model.hidden_dim=512

The `shakespeare_char` model (1x384 LSTM, global batch 32 x 100 characters, carried state) on the bundled
tiny Shakespeare, timed over `--steps` training steps after `--warmup` steps (tracing, first allocations):
  - `1 process`: one process, all the machine's threads (`TF_NUM_INTRAOP_THREADS` = cores);
  - `2 workers`: two processes on 127.0.0.1 under `multi_worker` (TF_CONFIG), each with half the threads
    and half the global batch; the gradients are all-reduced over gRPC every step. The ideal ratio to one
    process is 1.0 (the same threads do the same arithmetic); what is missing is the all-reduce's cost;
  - `1 process, bfloat16`: `training.mixed_precision=bfloat16` against float32 (`none`).
XLA is off in every run: TensorFlow cannot compile a step for several CPU replicas, so all runs match.
Each run is its own process (`--worker` is the mode those processes run in).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(spec_path):
    """One timed training run (in its own process): writes `{"seconds", "steps", "tokens"}` to spec's out."""
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    import keras

    from seqtk.tasks import get_task

    marks = []
    timer = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: marks.append(time.perf_counter()))
    task = get_task("lm")
    config = task.load_config("shakespeare_char", overrides=spec["settings"])
    result = task.train(config, log=lambda *a: None, callbacks=[timer])
    warmup = spec["warmup"]
    timed = len(marks) - 1 - warmup
    seconds = marks[-1] - marks[warmup]
    training = config.training
    with open(spec["out"], "w", encoding="utf-8") as handle:
        json.dump({"seconds": seconds, "steps": timed, "tokens": timed * training.batch_size * training.sequence_length,
                   "distribution": result["metrics"]["distribution"]}, handle)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(settings, out, threads, tf_config=None):
    spec = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
    json.dump(settings | {"out": out}, spec)
    spec.close()
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1",
           "PYTHONPATH": ROOT}
    env.pop("TF_CONFIG", None)
    if tf_config:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen([sys.executable, __file__, "--worker", spec.name], env=env, cwd=ROOT)


def measure(name, settings, workers, threads, scratch):
    """Runs `workers` processes with `threads` threads each; tokens/s of the whole run (all workers)."""
    addresses = [f"127.0.0.1:{free_port()}" for _ in range(workers)]
    processes, outs = [], []
    for index in range(workers):
        out = os.path.join(scratch, f"{name.replace(' ', '_').replace(',', '')}_{index}.json")
        tf_config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}} \
            if workers > 1 else None
        processes.append(launch(settings, out, threads, tf_config))
        outs.append(out)
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"{name}: a training process failed (exit {process.returncode})")
    with open(outs[0], encoding="utf-8") as handle:
        chief = json.load(handle)  # every worker takes every step; the chief's clock is the run's
    return {"run": name, "processes": workers, "threads_each": threads,
            "step_ms": round(1000 * chief["seconds"] / chief["steps"], 1),
            "tokens_per_second": round(chief["tokens"] / chief["seconds"]), "timed_steps": chief["steps"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=5, help="steps before the clock starts")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--worker", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)

    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as scratch:
        common = [f"training.steps_per_epoch={args.steps + args.warmup + 1}", "training.epochs=1",
                  "training.jit_compile=false", "training.time_budget_minutes=0", "training.verbose=0",
                  "sample_length=1", f"output_dir={scratch}/saved", f"checkpoint_dir={scratch}/checkpoints",
                  f"log_dir={scratch}/runs", *args.set]

        def settings(*more):
            return {"settings": common + list(more), "warmup": args.warmup}

        rows = [
            measure("1 process", settings("training.distribution=none"), 1, cores, scratch),
            measure("2 workers", settings("training.distribution=multi_worker"), 2, cores // 2, scratch),
            measure("1 process, bfloat16", settings("training.distribution=none",
                                                     "training.mixed_precision=bfloat16"), 1, cores, scratch),
        ]
    one, two, bf16 = rows
    ratios = {"two_workers_to_one_process": round(two["tokens_per_second"] / one["tokens_per_second"], 3),
              "bfloat16_to_float32_step_time": round(bf16["step_ms"] / one["step_ms"], 3)}
    print_table(rows, list(rows[0]))
    print(f"2 workers / 1 process, tokens/s: {ratios['two_workers_to_one_process']:.2f} (target >= 0.8)")
    print(f"bfloat16 / float32, step time: {ratios['bfloat16_to_float32_step_time']:.2f}")
    write_results("scale_speed_shakespeare_char", rows, ratios=ratios, steps=args.steps, warmup=args.warmup,
                  overrides=args.set)


if __name__ == "__main__":
    main()
