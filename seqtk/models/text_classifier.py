"""Recurrent text classifier (many-to-one): embedding, recurrent stack, masked pooling, dense head."""

import keras
from keras import ops

from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.models.language_model_transfer import (
    check_backward,
    side_by_side_embeddings,
    transfer_recurrent_layers,
)

POOLINGS = ("last", "max", "mean", "concat")
# Recurrent outputs are bounded (tanh), so this fills padded steps below any real value for max pooling,
# and stays finite in float16.
_MASKED_MAX_FILL = -1e4


@keras.saving.register_keras_serializable(package="seqtk")
class TextClassifier(keras.Model):
    """Classifies a whole token sequence: one label per text.

    Padding (id 0) is masked throughout: padded steps never change the
    recurrent state and never enter the pooling, so a text gets the same
    probabilities alone and inside a padded batch. With `pooling="concat"`
    the head sees ULMFiT's `[last, max, mean]` of the top layer's outputs
    (Howard & Ruder 2018). `from_language_model` builds a classifier on a
    trained `LanguageModel`'s embedding and recurrent stack.

    Args:
        vocabulary_size: number of tokens (id 0 is padding).
        num_classes: number of labels (2 for binary sentiment).
        embedding_dim: size of token vectors.
        hidden_dim: hidden size of each recurrent layer (int or list).
        num_layers: number of recurrent layers.
        cell_type: `"lstm"`, `"gru"` or `"simple_rnn"`.
        bidirectional: read the text in both directions.
        pooling: `"last"`, `"max"`, `"mean"` or `"concat"` (all three).
        head_dim: units of a ReLU layer before the output layer; 0 for none.
        dropout: locked dropout between recurrent layers.
        input_dropout: locked dropout on the embedded inputs.
        embedding_dropout: fraction of word types dropped from a batch.
        weight_dropout: DropConnect on the recurrent kernels.
        output_dropout: dropout on the pooled vector (and the head layer).
        residual: residual connections between recurrent layers.
        reverse: read each text right to left (its padding stays at the end): the classifier
            built on a backward language model, ULMFiT's second direction.
        seed: seed of every dropout mask.

    Call arguments:
        token_ids: `(batch, time)` integer ids, 0 for padding (after the text).
        training: whether dropout is active.

    Returns:
        `(batch, num_classes)` logits; `predict_probabilities` applies the softmax.

    Example:
    >>> model = TextClassifier(vocabulary_size=8000, num_classes=2, bidirectional=True, pooling="concat")
    >>> probabilities = model.predict_probabilities(np.array([[5, 17, 9, 0, 0]]))   # (1, 2)
    """

    def __init__(
        self,
        vocabulary_size,
        num_classes,
        embedding_dim=128,
        hidden_dim=128,
        num_layers=1,
        cell_type="lstm",
        bidirectional=False,
        pooling="concat",
        head_dim=0,
        dropout=0.0,
        input_dropout=0.0,
        embedding_dropout=0.0,
        weight_dropout=0.0,
        output_dropout=0.0,
        residual=False,
        reverse=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}; received pooling={pooling!r}.")
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer of at least 2; received num_classes={num_classes!r}.")
        self.vocabulary_size = vocabulary_size
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim if isinstance(hidden_dim, int) else list(hidden_dim)
        self.num_layers = num_layers
        self.cell_type = cell_type
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.head_dim = head_dim
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.embedding_dropout = embedding_dropout
        self.weight_dropout = weight_dropout
        self.output_dropout = output_dropout
        self.residual = residual
        self.reverse = bool(reverse)
        self.seed = seed

        def sub_seed(offset):
            return None if seed is None else seed + offset

        self.embedding = keras.layers.Embedding(
            vocabulary_size, embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.1, 0.1, seed=sub_seed(0)), name="embedding",
        )
        self.embedding_dropout_layer = EmbeddingDropout(
            vocabulary_size, embedding_dropout, seed=sub_seed(1), name="embedding_dropout"
        )
        self.input_dropout_layer = LockedDropout(input_dropout, seed=sub_seed(2), name="input_dropout")
        self.recurrent = RecurrentStack(
            cell_type, hidden_dim, num_layers, bidirectional=bidirectional, residual=residual, dropout=dropout,
            weight_dropout=weight_dropout, seed=sub_seed(3), name="recurrent",
        )
        self.pooled_dropout = keras.layers.Dropout(output_dropout, seed=sub_seed(4), name="pooled_dropout")
        self.head = keras.layers.Dense(head_dim, activation="relu", name="head") if head_dim else None
        self.head_dropout = keras.layers.Dropout(output_dropout, seed=sub_seed(5), name="head_dropout")
        self.classifier = keras.layers.Dense(num_classes, name="classifier")

    @classmethod
    def from_language_model(cls, language_model, num_classes, backward=None, **kwargs):
        """A classifier whose embedding and recurrent layers start as `language_model`'s (ULMFiT).

        The architecture (sizes, cell, layers, residual wiring) comes from the
        language model; `kwargs` set the pooling, head and dropout. On one
        language model the classifier reads in its direction. With `backward`
        (a backward language model of the same vocabulary and sizes) it is
        bidirectional: each forward direction starts as `language_model`'s
        layer, each backward one as `backward`'s, a word's vector is both
        models' embeddings side by side, and the kernel rows for what a
        language model did not read start at 0, so before training each
        direction computes what its language model did (the forward and
        backward ULMFiT pair in one model).
        """
        for fixed in ("vocabulary_size", "embedding_dim", "hidden_dim", "num_layers", "cell_type", "residual"):
            kwargs.pop(fixed, None)
        if kwargs.pop("bidirectional", False) and backward is None:
            raise ValueError("A classifier built on a language model reads in one direction like it; "
                             "set model.bidirectional to false, or give a backward language model as well "
                             "(init_from_backward) for a bidirectional one.")
        check_backward(language_model, backward)
        stack = language_model.recurrent
        if backward is not None and stack.residual:
            raise ValueError("Residual language models transfer to one direction only; give one language model.")
        embeddings = side_by_side_embeddings(language_model, backward)
        model = cls(
            vocabulary_size=language_model.vocabulary_size, num_classes=num_classes,
            embedding_dim=embeddings.shape[1], hidden_dim=list(stack.hidden_dims), num_layers=stack.num_layers,
            cell_type=stack.cell_type, residual=stack.residual, bidirectional=backward is not None,
            reverse=backward is None and getattr(language_model, "reverse", False), **kwargs,
        )
        model.build((None, None))
        model.embedding.embeddings.assign(embeddings)
        transfer_recurrent_layers(model.recurrent, language_model, backward)
        return model

    @property
    def pooled_dim(self):
        return self.recurrent.output_dim * (3 if self.pooling == "concat" else 1)

    def build(self, input_shape):
        self.embedding.build(input_shape)
        self.recurrent.build((input_shape[0], input_shape[1], self.embedding_dim))
        features = self.pooled_dim
        if self.head is not None:
            self.head.build((None, features))
            features = self.head_dim
        self.classifier.build((None, features))
        self.built = True

    def layer_groups(self):
        """Trainable variables by depth, bottom first: embedding, each recurrent layer, the head.

        ULMFiT's discriminative learning rates and gradual unfreezing act on these groups.
        """
        groups = [list(self.embedding.trainable_variables)]
        for pair in self.recurrent.directions:
            groups.append([v for layer in pair for v in layer.trainable_variables])
        head = [] if self.head is None else list(self.head.trainable_variables)
        groups.append(head + list(self.classifier.trainable_variables))
        return groups

    def pool(self, outputs, final_states, mask):
        """Pools `(batch, time, features)` outputs over the real (unmasked) steps."""
        mask = ops.cast(ops.expand_dims(mask, -1), outputs.dtype)
        pieces = []
        if self.pooling in ("last", "concat"):
            pieces.append(self.recurrent.last_output(final_states))
        if self.pooling in ("max", "concat"):
            pieces.append(ops.max(outputs * mask + (1.0 - mask) * _MASKED_MAX_FILL, axis=1))
        if self.pooling in ("mean", "concat"):
            pieces.append(ops.sum(outputs * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0))
        return pieces[0] if len(pieces) == 1 else ops.concatenate(pieces, axis=-1)

    def call(self, token_ids, training=None):
        if self.reverse:
            token_ids = reversed_texts(token_ids)
        mask = ops.not_equal(token_ids, 0)
        vectors = self.embedding(token_ids)
        vectors = self.embedding_dropout_layer(vectors, token_ids, training=training)
        vectors = self.input_dropout_layer(vectors, training=training)
        outputs, final_states = self.recurrent(vectors, mask=mask, training=training)
        features = self.pooled_dropout(self.pool(outputs, final_states, mask), training=training)
        if self.head is not None:
            features = self.head_dropout(self.head(features), training=training)
        return ops.cast(self.classifier(features), "float32")

    def predict_probabilities(self, token_ids):
        return ops.softmax(self(token_ids, training=False), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "num_classes": self.num_classes,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "num_layers": self.num_layers,
                "cell_type": self.cell_type,
                "bidirectional": self.bidirectional,
                "pooling": self.pooling,
                "head_dim": self.head_dim,
                "dropout": self.dropout,
                "input_dropout": self.input_dropout,
                "embedding_dropout": self.embedding_dropout,
                "weight_dropout": self.weight_dropout,
                "output_dropout": self.output_dropout,
                "residual": self.residual,
                "reverse": self.reverse,
                "seed": self.seed,
            }
        )
        return config


def reversed_texts(token_ids):
    """Each row's tokens in reverse order, its padding (id 0 after the text) left at the end."""
    lengths = ops.sum(ops.cast(ops.not_equal(token_ids, 0), "int32"), axis=1, keepdims=True)
    positions = ops.expand_dims(ops.arange(ops.shape(token_ids)[1], dtype="int32"), 0)
    index = ops.where(positions < lengths, lengths - 1 - positions, positions)
    return ops.take_along_axis(token_ids, index, axis=1)
