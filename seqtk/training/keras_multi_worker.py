"""Two repairs that let Keras 3's `fit` run under `tf.distribute.MultiWorkerMirroredStrategy`.

Keras 3.15 (TensorFlow backend) fails on the first batch of a multi-worker run (keras-team/keras#20585,
tensorflow/tensorflow#72388, open upstream):

1. `fit` builds the model from the first batch by averaging that batch over the replicas with
   `strategy.reduce`, which the collective strategy cannot do for a nested batch ("Attempt to convert a
   value (PerReplica ...)"). A batch only lends its shapes to the build, so this worker's own part serves.
2. The step's logs (scalars: loss, metrics) are averaged across workers with `reduce(..., axis=0)`, which
   a scalar has no axis for. They are averaged with `axis=None` instead, which is the same mean.

`install()` applies both once; runs with any other strategy take the original code paths unchanged.
"""

from keras.src import tree
from keras.src.backend.tensorflow import trainer as tensorflow_trainer

_installed = False


def _multi_worker(strategy):
    return tensorflow_trainer._collective_all_reduce_multi_worker(strategy)


def install():
    """Patches Keras' TensorFlow trainer for multi-worker runs (idempotent)."""
    global _installed
    if _installed:
        return
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
