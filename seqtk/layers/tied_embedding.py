"""An embedding that also projects hidden states back onto the vocabulary."""

import keras
from keras import ops

from seqtk.layers.sequence_matmul import sequence_matmul


@keras.saving.register_keras_serializable(package="seqtk")
class TiedEmbedding(keras.layers.Layer):
    """Token embedding whose transpose is the output projection (Press & Wolf 2017).

    With `tie_weights=True` one matrix serves as input embedding and output
    softmax weights; with `tie_weights=False` a separate output kernel is
    created, so the same layer covers both set-ups.

    Args:
        vocabulary_size: number of tokens.
        embedding_dim: size of each vector.
        tie_weights: share the matrix between input and output.
        use_output_bias: add a per-token bias to the logits.
        reverse_input_dim: size of the hidden states that `reverse=True`
            projects when the weights are untied (default `embedding_dim`);
            lets a recurrent layer wider than the embedding feed the softmax
            directly, with no bottleneck.
        embeddings_initializer: initializer of the matrix.

    Call arguments:
        inputs: integer ids `(batch, time)`, or hidden states `(batch, time,
            embedding_dim)` when `reverse=True`.
        reverse: project hidden states to vocabulary logits.

    Example:
    >>> layer = TiedEmbedding(vocabulary_size=50, embedding_dim=16)
    >>> vectors = layer(token_ids)            # (batch, time, 16)
    >>> logits = layer(vectors, reverse=True)  # (batch, time, 50)
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        tie_weights=True,
        use_output_bias=True,
        reverse_input_dim=None,
        embeddings_initializer="uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value in (("vocabulary_size", vocabulary_size), ("embedding_dim", embedding_dim)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer; received {name}={value!r}.")
        if tie_weights and reverse_input_dim not in (None, embedding_dim):
            raise ValueError(
                f"Tied weights project hidden states of embedding_dim={embedding_dim}; received "
                f"reverse_input_dim={reverse_input_dim}. Untie the weights or match the sizes."
            )
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.reverse_input_dim = reverse_input_dim
        self.tie_weights = tie_weights
        self.use_output_bias = use_output_bias
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.supports_masking = True

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.vocabulary_size, self.embedding_dim),
            initializer=self.embeddings_initializer,
        )
        if not self.tie_weights:
            self.output_kernel = self.add_weight(
                name="output_kernel",
                shape=(self.reverse_input_dim or self.embedding_dim, self.vocabulary_size),
                initializer="glorot_uniform",
            )
        if self.use_output_bias:
            self.output_bias = self.add_weight(
                name="output_bias", shape=(self.vocabulary_size,), initializer="zeros"
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            return ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.output_kernel
        logits = sequence_matmul(inputs, kernel)
        if self.use_output_bias:
            logits = logits + self.output_bias
        return logits

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.vocabulary_size,)
        return tuple(input_shape) + (self.embedding_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "embedding_dim": self.embedding_dim,
                "tie_weights": self.tie_weights,
                "use_output_bias": self.use_output_bias,
                "reverse_input_dim": self.reverse_input_dim,
                "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
            }
        )
        return config
