"""Recurrent language model: embedding, recurrent stack, (tied) softmax."""

import keras
from keras import ops

from seqtk.layers.activation_regularization import ActivationRegularization
from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.layers.tied_embedding import TiedEmbedding


@keras.saving.register_keras_serializable(package="seqtk")
class LanguageModel(keras.Model):
    """Predicts the next token at every position of a token sequence.

    Covers the classic recurrent language models: Zaremba et al. (2014) with
    `dropout` only, and AWD-LSTM (Merity et al. 2017) with embedding,
    input, between-layer, output and weight dropout, AR/TAR and tied weights.
    With `tie_weights=True` the last recurrent layer has `embedding_dim`
    units so its output can be projected by the embedding's transpose.

    Args:
        vocabulary_size: number of tokens (id 0 is padding).
        embedding_dim: size of token vectors.
        hidden_dim: hidden size of each recurrent layer (int or list).
        num_layers: number of recurrent layers.
        cell_type: `"lstm"`, `"gru"` or `"simple_rnn"`.
        dropout: locked dropout between recurrent layers.
        input_dropout: locked dropout on the embedded inputs.
        output_dropout: locked dropout on the last layer's outputs.
        embedding_dropout: fraction of word types dropped from a batch.
        weight_dropout: DropConnect on the recurrent kernels.
        tie_weights: share the embedding with the output projection.
        residual: residual connections between recurrent layers.
        activation_regularization: AR weight (alpha).
        temporal_activation_regularization: TAR weight (beta).
        reverse: the model reads text right to left (a backward model, ULMFiT's second
            direction): trainers, evaluation and generation feed it token streams reversed.
        start_state: hold a recorded state to start generation from (`start_states`,
            set by `prime_start_state` after training). A model trained with carried
            state (truncated BPTT) has almost never seen the zero state, so a prompt read
            from zeros lands it where it never was; the recorded state is one it has been
            in, just after a line break of its training text. Training and evaluation
            still start streams at zero.
        seed: seed of every dropout mask.

    Call arguments:
        token_ids: `(batch, time)` integer ids.
        states: list of recurrent states from a previous call; zeros if `None`.
        padding_mask: optional `(batch, time)` mask; padded steps leave the
            state unchanged.
        return_state: also return the final states.
        training: whether dropout is active.

    Example:
    >>> model = LanguageModel(vocabulary_size=65, embedding_dim=64, hidden_dim=256)
    >>> logits = model(token_ids)                                    # (batch, time, 65)
    >>> logits, states = model(next_ids, states=states, return_state=True)
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim=200,
        hidden_dim=200,
        num_layers=2,
        cell_type="lstm",
        dropout=0.0,
        input_dropout=0.0,
        output_dropout=0.0,
        embedding_dropout=0.0,
        weight_dropout=0.0,
        tie_weights=False,
        residual=False,
        activation_regularization=0.0,
        temporal_activation_regularization=0.0,
        reverse=False,
        start_state=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        hidden_dims = list(hidden_dim) if isinstance(hidden_dim, (list, tuple)) else [hidden_dim] * num_layers
        if tie_weights:
            hidden_dims[-1] = embedding_dim
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim if isinstance(hidden_dim, int) else list(hidden_dim)
        self.num_layers = num_layers
        self.cell_type = cell_type
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.output_dropout = output_dropout
        self.embedding_dropout = embedding_dropout
        self.weight_dropout = weight_dropout
        self.tie_weights = tie_weights
        self.residual = residual
        self.activation_regularization = activation_regularization
        self.temporal_activation_regularization = temporal_activation_regularization
        self.reverse = bool(reverse)
        self.start_state = bool(start_state)
        self.seed = seed
        self.start_state_vectors = []

        def sub_seed(offset):
            return None if seed is None else seed + offset

        self.embedding = TiedEmbedding(
            vocabulary_size, embedding_dim, tie_weights=tie_weights,
            reverse_input_dim=None if tie_weights else hidden_dims[-1],
            embeddings_initializer=keras.initializers.RandomUniform(-0.1, 0.1, seed=sub_seed(0)),
            name="embedding",
        )
        self.embedding_dropout_layer = EmbeddingDropout(
            vocabulary_size, embedding_dropout, seed=sub_seed(1), name="embedding_dropout"
        )
        self.input_dropout_layer = LockedDropout(input_dropout, seed=sub_seed(2), name="input_dropout")
        self.recurrent = RecurrentStack(
            cell_type, hidden_dims, num_layers, residual=residual, dropout=dropout,
            weight_dropout=weight_dropout, seed=sub_seed(3), name="recurrent",
        )
        self.output_dropout_layer = LockedDropout(output_dropout, seed=sub_seed(4), name="output_dropout")
        self.regularization = ActivationRegularization(
            activation_regularization, temporal_activation_regularization, name="activation_regularization"
        )

    def compile(self, optimizer="auto", loss="auto", **kwargs):
        """Compiles with defaults fit for recurrent language models.

        `"auto"` means Adam (learning rate 0.002) with the global gradient norm
        clipped at 5, since recurrent gradients explode, and cross-entropy on
        the logits that `call` returns. `jit_compile` defaults to XLA.
        """
        if optimizer == "auto":
            optimizer = keras.optimizers.Adam(learning_rate=0.002, global_clipnorm=5.0)
        if loss == "auto":
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        kwargs.setdefault("jit_compile", True)
        super().compile(optimizer=optimizer, loss=loss, **kwargs)

    @property
    def state_dims(self):
        return self.recurrent.state_dims

    def get_initial_state(self, batch_size):
        return self.recurrent.get_initial_state(batch_size)

    def start_states(self, batch_size):
        """The states generation starts from: the recorded start state of every row, or zeros without one."""
        if not self.start_state_vectors:
            return self.get_initial_state(batch_size)
        return [ops.broadcast_to(ops.cast(vector, self.compute_dtype)[None], (batch_size, vector.shape[0]))
                for vector in self.start_state_vectors]

    def set_start_states(self, states):
        """Records `states` (one vector per state tensor, in `state_dims` order) as the start state."""
        if not self.start_state:
            raise ValueError("This model has no start state to record: build it with start_state=True.")
        if len(states) != len(self.start_state_vectors):
            raise ValueError(f"Expected {len(self.start_state_vectors)} state vectors; received {len(states)}.")
        for variable, state in zip(self.start_state_vectors, states, strict=True):
            variable.assign(ops.reshape(ops.cast(state, variable.dtype), variable.shape))

    def build(self, input_shape):
        self.embedding.build(None)
        self.recurrent.build((input_shape[0], input_shape[1], self.embedding_dim))
        if self.start_state and not self.start_state_vectors:
            self.start_state_vectors = [
                self.add_weight(shape=(dim,), initializer="zeros", trainable=False, dtype="float32",
                                name=f"start_state_{index}")
                for index, dim in enumerate(self.state_dims)
            ]
        self.built = True

    def call(self, token_ids, states=None, padding_mask=None, return_state=False, training=None):
        vectors = self.embedding(token_ids)
        vectors = self.embedding_dropout_layer(vectors, token_ids, training=training)
        vectors = self.input_dropout_layer(vectors, training=training)
        outputs, final_states = self.recurrent(
            vectors, initial_state=states, mask=padding_mask, training=training
        )
        dropped = self.output_dropout_layer(outputs, training=training)
        dropped = self.regularization(dropped, outputs, training=training)
        logits = ops.cast(self.embedding(dropped, reverse=True), "float32")
        if return_state:
            return logits, final_states
        return logits

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "num_layers": self.num_layers,
                "cell_type": self.cell_type,
                "dropout": self.dropout,
                "input_dropout": self.input_dropout,
                "output_dropout": self.output_dropout,
                "embedding_dropout": self.embedding_dropout,
                "weight_dropout": self.weight_dropout,
                "tie_weights": self.tie_weights,
                "residual": self.residual,
                "activation_regularization": self.activation_regularization,
                "temporal_activation_regularization": self.temporal_activation_regularization,
                "reverse": self.reverse,
                "start_state": self.start_state,
                "seed": self.seed,
            }
        )
        return config
