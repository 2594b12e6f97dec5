"""Training wrapper that carries a language model's recurrent state from batch to batch."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class CarriedStateModel(keras.Model):
    """Wraps a `LanguageModel` for truncated backpropagation through time.

    The final state of each batch becomes the initial state of the next
    (Zaremba et al. 2014; AWD-LSTM), held in non-trainable variables so that
    `fit` keeps its callbacks, progress bars and XLA compilation. Gradients
    stop at batch boundaries. `reset_states` zeroes the carry (at each epoch
    and before validation, by `ResetStatesCallback`). With `carry_state=False`
    it trains the model on independent windows instead.

    The wrapped model stays stateless: after training, save
    `wrapper.language_model`.

    Under a `tf.distribute` strategy each replica carries the state of its
    own rows (streams) of the global batch: the carry is a per-replica
    (`on_read`) variable of `batch_size / replicas` rows, and the strategy
    gives every replica the same rows of every batch. The carry is not
    saved with the wrapper (its shape depends on the replica count, and
    training resets it at every epoch).

    Args:
        language_model: the model to train.
        batch_size: the fixed batch size of the carried state.
        carry_state: carry the state across batches.

    Example:
    >>> trainer = CarriedStateModel(model, batch_size=20)
    >>> trainer.compile(optimizer="sgd", loss=...)
    >>> trainer.fit(stream_batches(ids, 20, 35).one_pass(), callbacks=[ResetStatesCallback()])
    """

    def __init__(self, language_model, batch_size, carry_state=True, **kwargs):
        super().__init__(**kwargs)
        self.language_model = language_model
        self.batch_size = batch_size
        self.carry_state = carry_state
        self.carried = []

    def build(self, input_shape):
        if not self.language_model.built:
            self.language_model.build(input_shape)
        if self.carry_state:
            import tensorflow as tf  # the replica count of the strategy this is built under

            replicas = tf.distribute.get_strategy().num_replicas_in_sync
            if self.batch_size % replicas:
                raise ValueError(f"batch_size={self.batch_size} does not split across {replicas} replicas.")
            rows = self.batch_size // replicas
            self.carried = [
                keras.Variable(keras.initializers.Zeros(), shape=(rows, dim), dtype="float32", trainable=False,
                               name=f"carried_state_{i}", synchronization="on_read",
                               aggregation="only_first_replica")
                for i, dim in enumerate(self.language_model.state_dims)
            ]
        self.built = True

    def save_own_variables(self, store):
        pass  # the carry only: per replica, reset every epoch

    def load_own_variables(self, store):
        pass  # checkpoints of earlier versions hold a carry of the whole batch: it is reset anyway

    def reset_states(self):
        for variable in self.carried:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def call(self, token_ids, training=None):
        if not self.carry_state:
            return self.language_model(token_ids, training=training)
        states = [ops.cast(v, self.language_model.compute_dtype) for v in self.carried]
        logits, final_states = self.language_model(token_ids, states=states, return_state=True, training=training)
        for variable, state in zip(self.carried, final_states, strict=True):
            variable.assign(ops.cast(ops.stop_gradient(state), variable.dtype))
        return logits

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "language_model": keras.saving.serialize_keras_object(self.language_model),
                "batch_size": self.batch_size,
                "carry_state": self.carry_state,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["language_model"] = keras.saving.deserialize_keras_object(config["language_model"])
        return cls(**config)
