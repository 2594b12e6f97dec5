"""Trains one tiny model in this process and writes what a distribution test compares (run as a script).

`python distributed_run.py SPEC.json`: SPEC holds `task`, `settings` (config overrides), `out` (an .npz
path), `cpu_replicas` (logical CPU devices to make before TensorFlow starts, for `mirrored`), `resume`
and `step_sleep` (seconds to wait after each step); `runs`, a list of `settings` and `out`, trains
several models one after the other in this process. The
npz holds the loss logged after every step (`step_loss`) and the trained model's weights (`weight_<i>`).
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
    import keras
    import numpy as np

    from seqtk.tasks import get_task

    import time

    losses = []

    def after_step(batch, logs):
        losses.append(float(logs["loss"]))
        time.sleep(spec.get("step_sleep", 0.0))  # gives a test time to stop a worker mid-epoch

    record = keras.callbacks.LambdaCallback(on_train_batch_end=after_step)
    task = get_task(spec["task"])
    for run in spec.get("runs", [spec]):  # several runs share one TensorFlow start-up
        losses.clear()
        config = task.load_config(None, overrides=run["settings"])
        result = task.train(config, resume=spec.get("resume", False), log=print, callbacks=[record])
        weights = {f"weight_{i}": np.asarray(w) for i, w in enumerate(result["model"].get_weights())}
        np.savez(run["out"], step_loss=np.array(losses), steps=int(result["trainer"].optimizer.iterations.numpy()),
                 **weights)
        print(json.dumps({"directory": result["directory"], "distribution": result["metrics"]["distribution"]}))


if __name__ == "__main__":
    main(sys.argv[1])
