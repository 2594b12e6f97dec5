"""Where a run trains: one device, every local GPU, several machines, or a TPU (`training.distribution`).

`choose_distribution` turns the setting into a `tf.distribute` strategy and checks, before any data is
read or file written, what would otherwise fail later: a `TF_CONFIG` that is not JSON or names this
worker nowhere, `tpu` where no TPU is reachable, a global batch that the replicas cannot share evenly.
"""

import contextlib
import dataclasses
import glob
import json
import os

from seqtk.training.config import DISTRIBUTIONS, ConfigError

TF_CONFIG_EXAMPLE = ('{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                     '"task": {"type": "worker", "index": 0}}')


@dataclasses.dataclass
class Distribution:
    """The strategy a run trains under, and what the runner needs to know about it.

    Args:
        kind: none | mirrored | multi_worker | tpu.
        strategy: the `tf.distribute.Strategy`, or None for `none` (TensorFlow's default, one device).
        replicas: replicas in sync, all workers together; the global batch is split across them.
        devices: the devices this process computes on.
        workers: processes (machines) taking part; `worker_index` is this one's place among them.
        reason: why `auto` chose this kind (empty when it was asked for).

    Example:
    >>> distribution = choose_distribution("mirrored")
    >>> with distribution.scope():
    ...     model = build_model()
    """

    kind: str
    strategy: object = None
    replicas: int = 1
    devices: tuple = ()
    workers: int = 1
    worker_index: int = 0
    chief: bool = True
    reason: str = ""

    def scope(self):
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    @property
    def on_cpus(self):
        return bool(self.devices) and all("CPU" in device.upper() for device in self.devices)

    def xla_conflict(self):
        """Why XLA cannot compile a step under this strategy here, or None.

        XLA compiles one device's program; with several CPU replicas in one process TensorFlow places the
        replicas' variables on devices the compiled step cannot reach (it fails with "Trying to access
        resource ... located in device CPU:1 from device CPU:0"). CPU workers of a multi-worker run are kept
        off too (not tried with XLA). GPUs and TPUs have no such limit.
        """
        if self.kind in ("mirrored", "multi_worker") and self.on_cpus and self.replicas > 1:
            return (f"XLA (training.jit_compile) is off: it cannot compile one step for {self.replicas} CPU "
                    "replicas; GPUs and TPUs compile it.")
        return None

    @contextlib.contextmanager
    def worker_loss_explained(self, checkpoint):
        """Turns the error a multi-worker run stops with when a peer is lost into what to do about it.

        A worker that stops (killed, preempted, its machine gone) stops every other one: TensorFlow's
        collectives cannot go on with fewer peers. Restarting all of them with `--resume` goes on from the
        chief's last checkpoint, the weights and step of an epoch's end, so no step is lost or taken twice.
        """
        if self.kind != "multi_worker":
            yield
            return
        import tensorflow as tf

        try:
            yield
        except tf.errors.OpError as error:
            saved = len(checkpoint.history)
            where = f"the end of epoch {saved}" if saved else "the start (no epoch had ended)"
            lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
            # TensorFlow's own first line is often "Graph execution error:"; the cause names the lost task.
            first = next((line for line in lines if "unhealthy" in line or "aborted" in line), lines[0])[:300]
            raise RuntimeError(
                f"Training stopped on worker {self.worker_index}: a worker of the cluster was lost ({first}). "
                f"Restart every worker with --resume: training goes on from the chief's last checkpoint, "
                f"{where}.") from error

    def sharding(self, setting, files, log=print):
        """`data` or `file`: how this run's workers share the training data (`training.shard`), given the
        training files in the order read. Printed; `file` that cannot be honoured is a ConfigError."""
        if self.kind != "multi_worker":
            return "data"
        if setting == "file" or (setting == "auto" and len(files) >= self.workers):
            if len(files) < self.workers:
                raise ConfigError(
                    f"training.shard=file: the training data is {len(files)} file(s) for {self.workers} workers; "
                    "give at least one file per worker (a language model without data.validation trains on "
                    "its files joined into one text), or set training.shard=data.")
            if self.replicas != self.workers:
                raise ConfigError(
                    f"training.shard=file needs one replica per worker ({self.replicas} replicas on {self.workers} "
                    "workers): each worker's batches come from its own files. Set training.shard=data.")
            mine = self.files_of_worker(files)
            log(f"Sharded by file: worker {self.worker_index} trains on {len(mine)} of {len(files)} files "
                f"({', '.join(map(os.path.basename, mine[:5]))}{', ...' if len(mine) > 5 else ''}).")
            return "file"
        log(f"Sharded by data: each worker takes its rows of every global batch"
            f"{f' ({len(files)} training file(s) for {self.workers} workers)' if setting == 'auto' else ''}.")
        return "data"

    def files_of_worker(self, files):
        return list(files)[self.worker_index::self.workers]

    def shard(self, train, validation):
        """`(train, validation)` datasets with their sharding across workers set explicitly.

        Each worker takes its replicas' rows of every global batch (`AutoShardPolicy.DATA`): the batches
        are built in memory from texts every worker has read, and the rows of a language model's batch are
        its streams, whose order must be kept.
        """
        if self.kind != "multi_worker":
            return train, validation
        import tensorflow as tf

        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        return train.with_options(options), validation.with_options(options)

    def agreed_minimum(self, value):
        """The smallest of every worker's `value` (each worker calls this at the same point)."""
        import tensorflow as tf

        def gather():
            return tf.distribute.get_replica_context().all_gather(tf.constant([int(value)], tf.int64), axis=0)

        gathered = self.strategy.experimental_local_results(self.strategy.run(gather))[0]
        return int(tf.reduce_min(gathered))

    def per_worker(self, train, validation):
        """This worker's own batches (built at the per-worker batch size), handed to the strategy as they are
        (`distribute_datasets_from_function` neither shards nor re-batches them)."""
        return (self.strategy.distribute_datasets_from_function(lambda context: train),
                self.strategy.distribute_datasets_from_function(lambda context: validation))

    def describe(self, batch_size):
        where = ", ".join(self.devices) if self.devices else "the default device"
        head = {"none": f"one device ({where})",
                "mirrored": f"mirrored across {self.replicas} replicas ({where})",
                "multi_worker": f"{self.workers} workers, {self.replicas} replicas in all; this is worker "
                                f"{self.worker_index}{' (chief: writes checkpoints and the model)' if self.chief else ''}",
                "tpu": f"TPU, {self.replicas} cores"}[self.kind]
        text = f"Distribution: {self.kind}, {head}" + (f" [auto: {self.reason}]" if self.reason else "") + "."
        if self.replicas > 1:
            text += (f" Global batch {batch_size}: {batch_size // self.replicas} per replica.")
        return text


def read_tf_config(environ=None):
    """The parsed `TF_CONFIG` of `environ` (default: this process's), or None when it is unset.

    Raises ConfigError naming the fix when it is not JSON, has no cluster, or does not name this worker.
    """
    text = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    if not text.strip():
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"TF_CONFIG is not valid JSON ({error}): set it to the cluster and this worker's "
                          f"place in it, e.g. {TF_CONFIG_EXAMPLE}, or unset it to train in one process.") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not any(isinstance(v, list) and v for v in cluster.values()):
        raise ConfigError(f"TF_CONFIG has no \"cluster\" with worker addresses: e.g. {TF_CONFIG_EXAMPLE}.")
    task = config.get("task")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise ConfigError("TF_CONFIG names this worker nowhere: add \"task\": {\"type\": \"worker\", \"index\": N}, "
                          "N being this machine's position in cluster.worker (0 for the first, the chief).")
    members = cluster.get(task["type"])
    index = task["index"]
    if not isinstance(members, list) or not isinstance(index, int) or not 0 <= index < len(members):
        known = ", ".join(f"{job} ({len(v)})" for job, v in cluster.items() if isinstance(v, list))
        raise ConfigError(f"TF_CONFIG's task {task['type']!r} index {index!r} is not in its cluster (jobs: {known}): "
                          "set task.index to this machine's position in that job's address list.")
    return config


def _workers(tf_config):
    cluster = tf_config["cluster"]
    return len(cluster.get("chief", [])) + len(cluster.get("worker", []))


def _is_chief(tf_config):
    task, cluster = tf_config["task"], tf_config["cluster"]
    if "chief" in cluster:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def _worker_index(tf_config):
    task, cluster = tf_config["task"], tf_config["cluster"]
    offset = len(cluster.get("chief", [])) if task["type"] == "worker" else 0
    return offset + task["index"]


def tpu_reachable(environ=None):
    """What shows a TPU here (devices, `TPU_NAME`, a TPU VM's accelerator files), or None.

    Checked before `TPUClusterResolver` is called, which can wait a long time for a TPU that is not there.
    """
    environ = os.environ if environ is None else environ
    import tensorflow as tf

    if tf.config.list_logical_devices("TPU"):
        return "TPU devices"
    if environ.get("TPU_NAME"):
        return f"TPU_NAME={environ['TPU_NAME']}"
    if glob.glob("/dev/accel[0-9]*") or glob.glob("/dev/vfio/[0-9]*"):
        return "a Cloud TPU VM"
    return None


def _local_devices(tf):
    gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
    return gpus or [d.name for d in tf.config.list_logical_devices("CPU")]


def auto_choice(tf_config, tpu, gpus):
    """`(kind, reason)` that `auto` picks from a parsed TF_CONFIG, what shows a TPU, and the GPU count."""
    if tf_config and _workers(tf_config) > 1:
        return "multi_worker", f"TF_CONFIG names {_workers(tf_config)} workers"
    if tpu:
        return "tpu", tpu
    if gpus > 1:
        return "mirrored", f"{gpus} GPUs"
    return "none", "one GPU" if gpus else "no GPU or TPU"


def choose_distribution(setting, log=print, environ=None):
    """The `Distribution` for `training.distribution` (`auto` looks at what is here and says what it chose)."""
    if setting not in DISTRIBUTIONS:
        raise ConfigError(f"training.distribution={setting!r}: use one of {', '.join(DISTRIBUTIONS)}.")
    environ = os.environ if environ is None else environ
    tf_config = read_tf_config(environ) if setting in ("auto", "multi_worker") else None
    import tensorflow as tf

    reason, tpu = "", None
    kind = setting
    if setting == "auto":
        tpu = None if tf_config else tpu_reachable(environ)
        kind, reason = auto_choice(tf_config, tpu, len(tf.config.list_logical_devices("GPU")))
    if kind == "none":
        devices = tuple(d.name for d in tf.config.list_logical_devices("GPU")[:1]) or ("CPU:0",)
        return Distribution("none", devices=devices, reason=reason)
    if kind == "mirrored":
        devices = _local_devices(tf)
        strategy = tf.distribute.MirroredStrategy(devices)
        return Distribution("mirrored", strategy, strategy.num_replicas_in_sync, tuple(devices), reason=reason)
    if kind == "multi_worker":
        if tf_config is None:
            raise ConfigError("training.distribution=multi_worker needs TF_CONFIG, the cluster and this worker's "
                              f"place in it, set on every machine: e.g. TF_CONFIG='{TF_CONFIG_EXAMPLE}'.")
        from seqtk.training import keras_multi_worker

        keras_multi_worker.install()
        resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec(tf_config["cluster"]), task_type=tf_config["task"]["type"],
            task_id=tf_config["task"]["index"], rpc_layer="grpc")
        strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
        return Distribution("multi_worker", strategy, strategy.num_replicas_in_sync,
                            tuple(strategy.extended.worker_devices), workers=_workers(tf_config),
                            worker_index=_worker_index(tf_config), chief=_is_chief(tf_config), reason=reason)
    if not (tpu or tpu_reachable(environ)):
        raise ConfigError("training.distribution=tpu: no TPU is reachable from this machine (no TPU device, no "
                          "TPU_NAME, no /dev/accel*). Run on a Cloud TPU VM, set TPU_NAME to your TPU, or set "
                          "training.distribution=auto.")
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=environ.get("TPU_NAME", "local"))
    if environ.get("TPU_NAME"):
        tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    strategy = tf.distribute.TPUStrategy(resolver)
    return Distribution("tpu", strategy, strategy.num_replicas_in_sync,
                        tuple(d.name for d in tf.config.list_logical_devices("TPU")), reason=reason)


def check_batch_sizes(distribution, sizes):
    """Each `(key, value)` global batch must split evenly across the replicas; else a ConfigError."""
    replicas = distribution.replicas
    for key, value in sizes:
        if value % replicas:
            lower = value - value % replicas
            raise ConfigError(
                f"{key}={value} is the global batch, split across {replicas} replicas ({distribution.kind}), "
                f"and {value} is not a multiple of {replicas}: set {key}={lower or replicas} or "
                f"{lower + replicas}.")
