"""Embedding dropout: drop whole word types for a batch."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class EmbeddingDropout(keras.layers.Layer):
    """Drops entire rows of the embedding matrix, as in Gal & Ghahramani (2016).

    A dropped word type is zero at every position where it occurs in the
    batch; kept rows are scaled by `1 / (1 - rate)`. Applying the row mask to
    the looked-up vectors (rather than the whole matrix) gives the same result
    at the cost of a gather.

    Args:
        vocabulary_size: number of rows of the embedding matrix.
        rate: fraction of word types to drop, in `[0, 1)`.
        seed: seed of the masks.

    Call arguments:
        embeddings: `(batch, time, dim)` looked-up vectors.
        token_ids: `(batch, time)` ids that produced them.
        training: dropout is applied only when true.

    Example:
    >>> layer = EmbeddingDropout(vocabulary_size=100, rate=0.1)
    >>> dropped = layer(vectors, token_ids, training=True)
    """

    def __init__(self, vocabulary_size, rate=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate must be in [0, 1); received rate={rate!r}.")
        if not isinstance(vocabulary_size, int) or vocabulary_size < 1:
            raise ValueError(f"vocabulary_size must be a positive integer; received {vocabulary_size!r}.")
        self.vocabulary_size = vocabulary_size
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, embeddings, token_ids, training=None):
        if not training or self.rate == 0:
            return embeddings
        row_mask = keras.random.dropout(
            ops.ones((self.vocabulary_size,), dtype=embeddings.dtype), self.rate, seed=self.seed_generator
        )
        return embeddings * ops.expand_dims(ops.take(row_mask, token_ids), -1)

    def compute_output_shape(self, embeddings_shape, token_ids_shape=None):
        return embeddings_shape

    def get_config(self):
        config = super().get_config()
        config.update({"vocabulary_size": self.vocabulary_size, "rate": self.rate, "seed": self.seed})
        return config
