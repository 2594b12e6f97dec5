"""Trains one tiny model in this process and writes what a distribution test compares (run as a script).

`python distributed_run.py SPEC.json`: SPEC holds `task`, `settings` (config overrides), `out` (an .npz
path), `cpu_replicas` (logical CPU devices to make before TensorFlow starts, for `mirrored`), `resume`
and `step_sleep` (seconds to wait after each step); `runs`, a list of `settings` and `out`, trains
several models one after the other in this process. The
npz holds the loss logged after every step (`step_loss`) and the trained model's weights (`weight_<i>`).
For the crash tests: `deterministic` turns on TensorFlow's deterministic ops, `progress` names a file
that holds the optimizer's step count after every step, and `stall_in_checkpoint` names a file made
when a checkpoint is half written, the process then waiting there to be killed.
"""

import json
import sys


def main(spec_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    import tensorflow as tf

    if spec.get("cpu_replicas", 1) > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * spec["cpu_replicas"])
    if spec.get("deterministic"):
        tf.config.experimental.enable_op_determinism()
    import keras
    import numpy as np

    from seqtk.tasks import get_task

    import time

    losses = []

    def after_step(batch, logs):
        losses.append(float(logs["loss"]))
        time.sleep(spec.get("step_sleep", 0.0))  # gives a test time to stop a worker mid-epoch

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            after_step(batch, logs)
            if spec.get("progress"):
                with open(spec["progress"], "w", encoding="utf-8") as handle:
                    handle.write(str(int(self.model.optimizer.iterations.numpy())))

    record = Record()
    if spec.get("stall_in_checkpoint"):
        from seqtk.training import checkpoint

        write_state = checkpoint.write_json_atomically

        def stalling(path, value):
            if ".checkpoint.saving" in path:  # the model and arrays are written, the state not yet
                open(spec["stall_in_checkpoint"], "w").close()
                time.sleep(600)
            write_state(path, value)

        checkpoint.write_json_atomically = stalling
    task = get_task(spec["task"])
    for run in spec.get("runs", [spec]):  # several runs share one TensorFlow start-up
        losses.clear()
        config = task.load_config(None, overrides=run["settings"])
        result = task.train(config, resume=spec.get("resume", False), log=print, callbacks=[record])
        # A language model's start state is primed after training on the tail of each worker's own training
        # text (its shard); only the chief saves it, and it is no trained weight to keep in sync.
        trained = [w for w in result["model"].weights if "start_state" not in w.path]
        weights = {f"weight_{i}": np.asarray(w) for i, w in enumerate(trained)}
        np.savez(run["out"], step_loss=np.array(losses), steps=int(result["trainer"].optimizer.iterations.numpy()),
                 **weights)
        print(json.dumps({"directory": result["directory"], "distribution": result["metrics"]["distribution"]}))


if __name__ == "__main__":
    main(sys.argv[1])
