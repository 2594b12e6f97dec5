"""Recurrent sequence tagger (many-to-many, equal lengths): word and character features, a (bi)directional
recurrent stack, and a per-token softmax or a linear-chain CRF on top."""

import keras
from keras import ops
from keras.src.losses.loss import scale_loss_for_distribution

from seqtk.layers.crf import CRF
from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.models.language_model_transfer import (
    check_backward,
    side_by_side_embeddings,
    transfer_recurrent_layers,
)


@keras.saving.register_keras_serializable(package="seqtk")
class SequenceTagger(keras.Model):
    """One tag per token: part of speech, named entities, chunks (Lample et al. 2016's BiLSTM-CRF).

    Each token is its word embedding, concatenated with the final states of a small bidirectional
    recurrent encoder over its characters, so a word never seen in training still gets a representation
    from its spelling. A recurrent stack reads the sentence and a dense layer scores every tag at every
    token; with `crf=True` a `CRF` scores whole tag sequences (transitions between tags, and the
    transitions a tag scheme forbids kept out through `allowed`). Padding (token id 0, character id 0) is
    masked throughout: a sentence gets the same tags alone and in a padded batch.

    Args:
        vocabulary_size: number of word ids (0 is padding).
        num_tags: number of tags.
        char_vocabulary_size: number of character ids (0 is padding); 0 for no character encoder.
        embedding_dim, char_embedding_dim, char_hidden_dim: sizes of word and character vectors, and of
            each direction of the character encoder.
        hidden_dim, num_layers, cell_type, bidirectional: the sentence-level recurrent stack.
        dropout, input_dropout, embedding_dropout, weight_dropout, output_dropout: seqtk's regularizers
            (between layers, on the token vectors, whole word types, recurrent kernels, before the scores).
        crf: a CRF on top (else a per-token softmax).
        allowed: the CRF's allowed transitions (`scheme_constraints`), or None.
        seed: seed of every dropout mask.

    Call arguments:
        inputs: `token_ids (batch, time)`; or `(token_ids, char_ids (batch, time, chars))`; or `(token_ids,
            spellings (words, chars), spelling_index (batch, time))`, each distinct word of the batch spelled
            once and every token pointing to its row (what `seqtk.data.tagging_dataset` batches hold: the
            character encoder then reads no word twice).

    Returns:
        `(batch, time, num_tags)` tag scores; `decode` gives the tags.

    Example:
    >>> model = SequenceTagger(vocabulary_size=20000, num_tags=9, char_vocabulary_size=100, crf=True)
    >>> scores = model((token_ids, char_ids))
    >>> loss = model.tag_loss(tags, scores, token_ids != 0)
    >>> tags = model.decode((token_ids, char_ids))            # (batch, time) int32
    """

    def __init__(self, vocabulary_size, num_tags, char_vocabulary_size=0, embedding_dim=100, char_embedding_dim=25,
                 char_hidden_dim=25, hidden_dim=128, num_layers=1, cell_type="lstm", bidirectional=True, dropout=0.0,
                 input_dropout=0.0, embedding_dropout=0.0, weight_dropout=0.0, output_dropout=0.0, crf=True,
                 allowed=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.num_tags = vocabulary_size, num_tags
        self.char_vocabulary_size = char_vocabulary_size
        self.embedding_dim, self.char_embedding_dim, self.char_hidden_dim = embedding_dim, char_embedding_dim, \
            char_hidden_dim
        self.hidden_dim, self.num_layers, self.cell_type, self.bidirectional = hidden_dim, num_layers, cell_type, \
            bidirectional
        self.dropout, self.input_dropout, self.embedding_dropout = dropout, input_dropout, embedding_dropout
        self.weight_dropout, self.output_dropout = weight_dropout, output_dropout
        self.use_crf, self.seed = crf, seed
        self.allowed = allowed

        def sub_seed(offset):
            return None if seed is None else seed + offset

        self.embedding_dropout_layer = EmbeddingDropout(vocabulary_size, embedding_dropout, seed=sub_seed(0),
                                                        name="embedding_dropout")
        self.word_embedding = keras.layers.Embedding(vocabulary_size, embedding_dim, name="word_embedding")
        self.char_embedding = self.char_encoder = None
        if char_vocabulary_size:
            self.char_embedding = keras.layers.Embedding(char_vocabulary_size, char_embedding_dim,
                                                         name="char_embedding")
            self.char_encoder = RecurrentStack(cell_type, char_hidden_dim, 1, bidirectional=True,
                                               return_sequences=False, seed=sub_seed(1), name="char_encoder")
        self.input_dropout_layer = LockedDropout(input_dropout, seed=sub_seed(2), name="input_dropout")
        self.recurrent = RecurrentStack(cell_type, hidden_dim, num_layers, bidirectional=bidirectional,
                                        dropout=dropout, weight_dropout=weight_dropout, seed=sub_seed(3),
                                        name="recurrent")
        self.output_dropout_layer = LockedDropout(output_dropout, seed=sub_seed(4), name="output_dropout")
        self.scores = keras.layers.Dense(num_tags, name="scores")
        self.crf = CRF(num_tags, allowed=allowed, name="crf") if crf else None
        self.build()

    @classmethod
    def from_language_model(cls, language_model, num_tags, backward=None, **kwargs):
        """A tagger whose word embedding and recurrent layers start from a word-level language model's.

        The sizes (embedding, hidden units per layer, layers, cell) come from `language_model`. Each
        forward direction starts as the language model's layer; with `backward` (a backward language model
        of the same vocabulary and sizes) each backward direction starts as its layer, else afresh, and a
        word's vector is both models' embeddings side by side (twice the size). A
        layer's kernel also reads what the language model did not have (the character encoder's features,
        the other direction's outputs): those rows start at 0, so before training each transferred
        direction computes what its language model computed (ULMFiT's transfer, for both directions as in
        Peters et al. 2017). `kwargs` set the rest (`char_vocabulary_size`, dropouts, `crf`, ...).
        """
        for fixed in ("vocabulary_size", "embedding_dim", "hidden_dim", "num_layers", "cell_type"):
            kwargs.pop(fixed, None)
        check_backward(language_model, backward)
        stack = language_model.recurrent
        embeddings = side_by_side_embeddings(language_model, backward)
        model = cls(vocabulary_size=language_model.vocabulary_size, num_tags=num_tags,
                    embedding_dim=embeddings.shape[1], hidden_dim=list(stack.hidden_dims),
                    num_layers=stack.num_layers, cell_type=stack.cell_type, **kwargs)
        model.word_embedding.embeddings.assign(embeddings)
        transfer_recurrent_layers(model.recurrent, language_model, backward)
        return model

    @property
    def token_features(self):
        """The size of each token's vector: the word embedding and the character encoder's final states."""
        return self.embedding_dim + (self.char_encoder.output_dim if self.char_encoder is not None else 0)

    def build(self, input_shape=None):
        if self.built:  # built in __init__: every shape is known from the settings
            return
        self.word_embedding.build((None, None))
        if self.char_encoder is not None:
            self.char_embedding.build((None, None))
            self.char_encoder.build((None, None, self.char_embedding_dim))
        self.recurrent.build((None, None, self.token_features))
        self.scores.build((None, None, self.recurrent.output_dim))
        if self.crf is not None:
            self.crf.build((None, None, self.num_tags))
        self.built = True

    @staticmethod
    def _split(inputs):
        """`(token_ids, char_ids or spellings, spelling_index or None)`, as int32: Keras builds a model under a
        distribution strategy from the replicas' first batches averaged, which makes ids floats."""
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        inputs = list(inputs) + [None] * (3 - len(inputs))
        return tuple(x if x is None or "int" in str(x.dtype) else ops.cast(x, "int32") for x in inputs[:3])

    def spell(self, char_ids, training=None):
        """The character encoder's final states `(words, 2 * char_hidden_dim)` of `(words, chars)` ids."""
        spelled, _ = self.char_encoder(self.char_embedding(char_ids), mask=ops.not_equal(char_ids, 0),
                                       training=training)
        return spelled

    def call(self, inputs, training=None):
        token_ids, char_ids, spelling_index = self._split(inputs)
        mask = ops.not_equal(token_ids, 0)
        vectors = self.embedding_dropout_layer(self.word_embedding(token_ids), token_ids, training=training)
        if self.char_encoder is not None and char_ids is not None:
            if spelling_index is not None:  # each distinct word spelled once, looked up by every token
                spelled = ops.take(self.spell(char_ids, training), spelling_index, axis=0)
            else:
                batch, time, chars = ops.shape(char_ids)[0], ops.shape(char_ids)[1], ops.shape(char_ids)[2]
                spelled = self.spell(ops.reshape(char_ids, (-1, chars)), training)
                spelled = ops.reshape(spelled, (batch, time, self.char_encoder.output_dim))
            vectors = ops.concatenate([vectors, ops.cast(spelled, vectors.dtype)], axis=-1)
        vectors = self.input_dropout_layer(vectors, training=training)
        outputs, _ = self.recurrent(vectors, mask=mask, training=training)
        scores = self.scores(self.output_dropout_layer(outputs, training=training))
        return self.crf(scores) if self.crf is not None else scores

    def tag_loss(self, tags, scores, mask):
        """The mean negative log-likelihood of the gold `tags` per sentence (CRF), or the mean cross-entropy
        per real token (softmax)."""
        scores = ops.cast(scores, "float32")
        if self.crf is not None:
            return -ops.mean(self.crf.log_likelihood(scores, tags, mask))
        losses = keras.losses.sparse_categorical_crossentropy(tags, scores, from_logits=True)
        weights = ops.cast(mask, losses.dtype)
        return ops.sum(losses * weights) / ops.maximum(ops.sum(weights), 1.0)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """`fit` and `evaluate` train on `tag_loss` (compile with no loss): the CRF's likelihood needs the
        padding mask, which comes from the token ids in `x`."""
        token_ids = self._split(x)[0]
        loss = self.tag_loss(y, y_pred, ops.not_equal(token_ids, 0))
        for extra in self.losses:
            loss = loss + ops.cast(extra, loss.dtype)
        # As Keras' own losses do: under a distribution strategy each replica's loss is divided by the
        # replicas, whose gradients are then summed (Keras has no public name for it).
        return scale_loss_for_distribution(loss)

    def decode(self, inputs):
        """The best tags, int32 (batch, time): Viterbi under the CRF, else each token's argmax; 0 at padding."""
        token_ids = self._split(inputs)[0]
        mask = ops.not_equal(token_ids, 0)
        scores = ops.cast(self(inputs, training=False), "float32")
        if self.crf is not None:
            return self.crf.decode(scores, mask)
        best = ops.cast(ops.argmax(scores, axis=-1), "int32")
        return ops.where(mask, best, ops.zeros_like(best))

    def get_config(self):
        config = super().get_config()
        config.update({key: getattr(self, key) for key in (
            "vocabulary_size", "num_tags", "char_vocabulary_size", "embedding_dim", "char_embedding_dim",
            "char_hidden_dim", "hidden_dim", "num_layers", "cell_type", "bidirectional", "dropout", "input_dropout",
            "embedding_dropout", "weight_dropout", "output_dropout", "seed", "allowed")})
        config["crf"] = self.use_crf
        return config
