"""Two repairs that let Keras 3's `fit` run under `tf.distribute.MultiWorkerMirroredStrategy`.

Keras 3.15 (TensorFlow backend) fails on the first batch of a multi-worker run (keras-team/keras#20585,
tensorflow/tensorflow#72388, open upstream):

1. `fit` builds the model from the first batch by averaging that batch over the replicas with
   `strategy.reduce`, which the collective strategy cannot do for a nested batch ("Attempt to convert a
   value (PerReplica ...)"). A batch only lends its shapes to the build, so this worker's own part serves.
2. The step's logs (scalars: loss, metrics) are averaged across workers with `reduce(..., axis=0)`, which
   a scalar has no axis for. They are averaged with `axis=None` instead, which is the same mean.

`install()` applies both once; runs with any other strategy take the original code paths unchanged. The
repairs replace private functions of Keras' trainer, so they are applied only to the Keras version they were
written and tested for (`WRITTEN_FOR`); on another, a multi-worker run stops with what to do.
"""

import keras
from keras import tree

WRITTEN_FOR = (3, 15)  # Keras major.minor whose TensorFlow trainer these repairs replace
_PRIVATE = ("_collective_all_reduce_multi_worker", "_is_per_replica_instance", "reduce_per_replica")
_installed = False


def check_version(version=None):
    """Raises a `RuntimeError` saying what to do when Keras `version` (default: the installed one) is not the
    one the repairs were written for, or lacks the trainer functions they replace."""
    version = version or keras.__version__
    written = ".".join(map(str, WRITTEN_FOR))
    if tuple(int(part) for part in version.split(".")[:2]) != WRITTEN_FOR:
        raise RuntimeError(
            f"Multi-worker training repairs Keras {written}'s trainer (keras-team/keras#20585), and this is Keras "
            f"{version}. Install Keras {written} (pip install 'keras=={written}.*'), or train on one machine "
            "(training.distribution none or mirrored). If your Keras fixes #20585, seqtk needs no repair: update "
            "WRITTEN_FOR in seqtk/training/keras_multi_worker.py after a multi-worker test passes.")
    from keras.src.backend.tensorflow import trainer as tensorflow_trainer

    missing = [name for name in _PRIVATE if not hasattr(tensorflow_trainer, name)]
    if missing:
        raise RuntimeError(f"Keras {version}'s TensorFlow trainer has no {', '.join(missing)}, which the multi-worker "
                           f"repair replaces; install Keras {written} (pip install 'keras=={written}.*').")
    return tensorflow_trainer


def install():
    """Patches Keras' TensorFlow trainer for multi-worker runs (idempotent)."""
    global _installed
    if _installed:
        return
    tensorflow_trainer = check_version()

    def _multi_worker(strategy):
        return tensorflow_trainer._collective_all_reduce_multi_worker(strategy)

    original_build = tensorflow_trainer.TensorFlowTrainer._maybe_symbolic_build
    original_reduce = tensorflow_trainer.reduce_per_replica

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self._distribute_strategy
        if strategy is None or not _multi_worker(strategy) or iterator is None:
            return original_build(self, iterator=iterator, data_batch=data_batch)
        for _, _, batches in iterator:
            batch = next(batches)
            data_batch = tree.map_structure(lambda value: strategy.experimental_local_results(value)[0], batch)
            break
        with strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    def reduce_per_replica(values, strategy, reduction):
        if reduction not in ("auto", "mean") or not _multi_worker(strategy):
            return original_reduce(values, strategy, reduction)

        def reduce(value):
            local = strategy.experimental_local_results(value)[0] \
                if tensorflow_trainer._is_per_replica_instance(value) else value
            if getattr(local, "shape", None) is not None and local.shape.rank == 0:
                return strategy.reduce("MEAN", value, axis=None)
            return original_reduce(value, strategy, reduction)

        return tree.map_structure(reduce, values)

    tensorflow_trainer.TensorFlowTrainer._maybe_symbolic_build = _maybe_symbolic_build
    tensorflow_trainer.reduce_per_replica = reduce_per_replica
    _installed = True
