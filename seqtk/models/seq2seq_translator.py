"""Attention-free recurrent encoder-decoder (Sutskever et al. 2014, Cho et al. 2014)."""

import keras
from keras import ops

from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.layers.tied_embedding import TiedEmbedding


def reverse_padded(token_ids):
    """Reverses each row's real (non-zero) tokens in place, leaving the right padding where it is."""
    lengths = ops.sum(ops.cast(ops.not_equal(token_ids, 0), "int32"), axis=1, keepdims=True)
    positions = ops.expand_dims(ops.arange(ops.shape(token_ids)[1], dtype="int32"), 0)
    indices = ops.where(positions < lengths, lengths - 1 - positions, positions)
    return ops.take_along_axis(token_ids, indices, axis=1)


@keras.saving.register_keras_serializable(package="seqtk")
class Seq2SeqTranslator(keras.Model):
    """Encoder-decoder without attention: the whole source lives in the encoder's final state.

    The encoder reads the source (reversed with `reverse_source`, Sutskever
    et al.'s trick, which puts the first source words next to the first target
    words); its final states start the decoder, through a `tanh` bridge when
    the encoder is bidirectional (the two directions of each layer are merged
    into the decoder layer's size). With `context_feeding` the encoder's
    summary vector (the top layer's last output) joins the decoder's input at
    every step and the output layer (Cho et al.). Padding (id 0) is masked on
    both sides: padded source steps never change the encoder's state.

    Args:
        source_vocabulary_size, target_vocabulary_size: number of tokens per side
            (id 0 is padding).
        embedding_dim: size of the token vectors on both sides.
        hidden_dim: hidden size of every recurrent layer (encoder and decoder alike).
        num_layers: recurrent layers in the encoder and in the decoder.
        cell_type: `"lstm"`, `"gru"` or `"simple_rnn"`.
        bidirectional: a bidirectional encoder, bridged to the decoder's state size.
        reverse_source: read the source backwards.
        context_feeding: feed the encoder's summary to every decoder step and to the output layer.
        tie_embeddings: the target embedding's transpose is the output projection.
        dropout: locked dropout between recurrent layers.
        input_dropout: locked dropout on the embedded tokens of both sides.
        embedding_dropout: fraction of word types dropped from a batch (both sides).
        output_dropout: dropout on the decoder's outputs before the projection.
        seed: seed of every dropout mask.

    Call arguments:
        inputs: `(source_ids, decoder_inputs)`, both `(batch, time)` integer ids.
        training: whether dropout is active.

    Returns:
        `(batch, target_time, target_vocabulary_size)` float32 logits.

    Example:
    >>> model = Seq2SeqTranslator(8000, 8000, embedding_dim=256, hidden_dim=512, reverse_source=True)
    >>> logits = model((source_ids, decoder_inputs))        # teacher forcing
    >>> states, context = model.encode(source_ids)            # decoding, one step at a time
    >>> logits, states = model.decode(next_ids[:, None], states, context)
    """

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        embedding_dim=256,
        hidden_dim=512,
        num_layers=2,
        cell_type="lstm",
        bidirectional=False,
        reverse_source=False,
        context_feeding=False,
        tie_embeddings=False,
        dropout=0.0,
        input_dropout=0.0,
        embedding_dropout=0.0,
        output_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(hidden_dim, int) or hidden_dim < 1:
            raise ValueError(f"hidden_dim must be a positive integer (one size for encoder and decoder); "
                             f"received hidden_dim={hidden_dim!r}.")
        self.source_vocabulary_size = source_vocabulary_size
        self.target_vocabulary_size = target_vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.cell_type = cell_type
        self.bidirectional = bidirectional
        self.reverse_source = reverse_source
        self.context_feeding = context_feeding
        self.tie_embeddings = tie_embeddings
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.embedding_dropout = embedding_dropout
        self.output_dropout = output_dropout
        self.seed = seed

        def sub_seed(offset):
            return None if seed is None else seed + offset

        uniform = lambda offset: keras.initializers.RandomUniform(-0.1, 0.1, seed=sub_seed(offset))  # noqa: E731
        self.source_embedding = keras.layers.Embedding(
            source_vocabulary_size, embedding_dim, embeddings_initializer=uniform(0), name="source_embedding")
        self.source_embedding_dropout = EmbeddingDropout(
            source_vocabulary_size, embedding_dropout, seed=sub_seed(1), name="source_embedding_dropout")
        self.source_dropout = LockedDropout(input_dropout, seed=sub_seed(2), name="source_dropout")
        self.encoder = RecurrentStack(
            cell_type, hidden_dim, num_layers, bidirectional=bidirectional, dropout=dropout, seed=sub_seed(3),
            name="encoder")
        self.bridge = [
            keras.layers.Dense(hidden_dim, activation="tanh", name=f"bridge_{i}")
            for i in range(self.encoder.num_states // 2)
        ] if bidirectional else []
        self.output_features = hidden_dim + (self.context_dim + embedding_dim if context_feeding else 0)
        self.output_projection = (
            keras.layers.Dense(embedding_dim, name="output_projection")
            if tie_embeddings and self.output_features != embedding_dim else None
        )
        self.target_embedding = TiedEmbedding(
            target_vocabulary_size, embedding_dim, tie_weights=tie_embeddings,
            reverse_input_dim=None if tie_embeddings else self.output_features,
            embeddings_initializer=uniform(4), name="target_embedding")
        self.target_embedding_dropout = EmbeddingDropout(
            target_vocabulary_size, embedding_dropout, seed=sub_seed(5), name="target_embedding_dropout")
        self.target_dropout = LockedDropout(input_dropout, seed=sub_seed(6), name="target_dropout")
        self.decoder = RecurrentStack(cell_type, hidden_dim, num_layers, dropout=dropout, seed=sub_seed(7),
                                      name="decoder")
        self.decoder_output_dropout = LockedDropout(output_dropout, seed=sub_seed(8), name="decoder_output_dropout")

    @property
    def context_dim(self):
        """Size of the encoder's summary vector: its top layer's last output."""
        return self.encoder.output_dim

    @property
    def decoder_state_dims(self):
        return self.decoder.state_dims

    def build(self, input_shape=None):
        self.source_embedding.build((None, None))
        self.encoder.build((None, None, self.embedding_dim))
        for layer in self.bridge:
            layer.build((None, 2 * self.hidden_dim))
        self.target_embedding.build(None)
        decoder_inputs = self.embedding_dim + (self.context_dim if self.context_feeding else 0)
        self.decoder.build((None, None, decoder_inputs))
        if self.output_projection is not None:
            self.output_projection.build((None, None, self.output_features))
        self.built = True

    def encode(self, source_ids, training=None):
        """`(decoder_states, context)`: the decoder's initial states and the encoder's summary vector."""
        if self.reverse_source:
            source_ids = reverse_padded(source_ids)
        mask = ops.not_equal(source_ids, 0)
        vectors = self.source_embedding(source_ids)
        vectors = self.source_embedding_dropout(vectors, source_ids, training=training)
        vectors = self.source_dropout(vectors, training=training)
        _, final_states = self.encoder(vectors, mask=mask, training=training)
        context = self.encoder.last_output(final_states)
        if not self.bidirectional:
            return list(final_states), context
        # Final states come layer by layer, forward states then backward ones; merge each pair.
        per_direction = self.encoder.num_states // (2 * self.num_layers)
        states = []
        for layer in range(self.num_layers):
            start = layer * 2 * per_direction
            for k in range(per_direction):
                merged = ops.concatenate(
                    [final_states[start + k], final_states[start + per_direction + k]], axis=-1)
                states.append(self.bridge[layer * per_direction + k](merged))
        return states, context

    def decode(self, decoder_inputs, states, context, training=None):
        """Logits for each decoder input step and the decoder's states after the last one."""
        vectors = self.target_embedding(decoder_inputs)
        vectors = self.target_embedding_dropout(vectors, decoder_inputs, training=training)
        vectors = self.target_dropout(vectors, training=training)
        embedded = vectors
        if self.context_feeding:
            repeated = ops.repeat(ops.expand_dims(ops.cast(context, vectors.dtype), 1), ops.shape(vectors)[1], axis=1)
            vectors = ops.concatenate([vectors, repeated], axis=-1)
        mask = None if decoder_inputs.shape[1] == 1 else ops.not_equal(decoder_inputs, 0)
        outputs, states = self.decoder(vectors, initial_state=states, mask=mask, training=training)
        features = self.decoder_output_dropout(outputs, training=training)
        if self.context_feeding:
            features = ops.concatenate([features, repeated, embedded], axis=-1)
        if self.output_projection is not None:
            features = self.output_projection(features)
        return ops.cast(self.target_embedding(features, reverse=True), "float32"), states

    def call(self, inputs, training=None):
        source_ids, decoder_inputs = inputs
        states, context = self.encode(source_ids, training=training)
        logits, _ = self.decode(decoder_inputs, states, context, training=training)
        return logits

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "source_vocabulary_size": self.source_vocabulary_size,
                "target_vocabulary_size": self.target_vocabulary_size,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "num_layers": self.num_layers,
                "cell_type": self.cell_type,
                "bidirectional": self.bidirectional,
                "reverse_source": self.reverse_source,
                "context_feeding": self.context_feeding,
                "tie_embeddings": self.tie_embeddings,
                "dropout": self.dropout,
                "input_dropout": self.input_dropout,
                "embedding_dropout": self.embedding_dropout,
                "output_dropout": self.output_dropout,
                "seed": self.seed,
            }
        )
        return config
