"""A linear-chain conditional random field over per-token tag scores (Lafferty et al. 2001; Lample et al. 2016)."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

# Added to the score of a transition a tag scheme forbids: far below any sum of real scores, finite in float32
# (an infinity would turn the forward algorithm's sums into NaN).
FORBIDDEN = -1e4


def scan(step, init, xs, reverse=False, output_dtype=None, output_shape=None):
    """`(final carry, stacked outputs)` of `step(carry, x) -> (carry, output)` over the leading axis of `xs`
    (`output_dtype` None: `step` returns the carry alone and there are no outputs). `output_shape`, one
    step's output shape (a tensor), gives the stack its shape when there are no steps.

    A `tf.while_loop` with `maximum_iterations` set, so XLA can differentiate it (Keras' `ops.scan` leaves it
    unset, which XLA refuses) and TFLite converts it to a builtin `WHILE`. Outputs are stacked at their
    step's index, also when `reverse` runs the steps from the last.
    """
    steps = tf.shape(xs)[0]
    inputs = tf.TensorArray(xs.dtype, size=steps, element_shape=xs.shape[1:]).unstack(xs)
    if output_dtype is None:
        _, carry = tf.while_loop(lambda i, _: i < steps, lambda i, carry: (i + 1, step(carry, inputs.read(i))),
                                 (tf.constant(0), init), maximum_iterations=steps)
        return carry, None
    outputs = tf.TensorArray(output_dtype, size=steps)

    def body(i, carry, outputs):
        index = steps - 1 - i if reverse else i
        carry, output = step(carry, inputs.read(index))
        return i + 1, carry, outputs.write(index, output)

    _, carry, outputs = tf.while_loop(lambda i, *_: i < steps, body, (tf.constant(0), init, outputs),
                                      maximum_iterations=steps)
    stacked = outputs.stack()
    if output_shape is not None:
        stacked = tf.reshape(stacked, tf.concat([[steps], output_shape], axis=0))
    return carry, stacked


@keras.saving.register_keras_serializable(package="seqtk")
class CRF(keras.layers.Layer):
    """Scores whole tag sequences: the emission scores of each token's tag plus learned transition scores
    between consecutive tags (and from the start, to the end).

    `call(potentials)` returns the potentials unchanged, so the layer sits at the top of a tagger and
    training uses `log_likelihood` (the forward algorithm: the gold sequence's score minus the log of the
    sum over every sequence); `decode` gives the best sequence (Viterbi). Both take a mask of real tokens,
    padding at the end of each row: padding never changes a result.

    Args:
        num_tags: how many tags.
        allowed: optional `(allowed, allowed_start, allowed_end)` boolean arrays of shapes `(num_tags,
            num_tags)`, `(num_tags,)`, `(num_tags,)`, from `scheme_constraints`; forbidden transitions score
            `FORBIDDEN`, so decoding never produces them (an `I-PER` after `O` under BIO, say).

    Example:
    >>> crf = CRF(5)
    >>> potentials = crf(dense(features))                       # (batch, time, 5)
    >>> loss = -crf.log_likelihood(potentials, tags, mask)     # (batch,)
    >>> best = crf.decode(potentials, mask)                     # (batch, time) int32
    """

    def __init__(self, num_tags, allowed=None, **kwargs):
        super().__init__(**kwargs)
        if num_tags < 1:
            raise ValueError(f"CRF needs at least one tag; received num_tags={num_tags}.")
        self.num_tags = int(num_tags)
        if allowed is not None:
            allowed = tuple(np.asarray(a, dtype=bool).tolist() for a in allowed)
            shapes = [np.shape(a) for a in allowed]
            if shapes != [(num_tags, num_tags), (num_tags,), (num_tags,)]:
                raise ValueError(f"CRF allowed transitions must have shapes {(num_tags, num_tags)}, "
                                 f"{(num_tags,)}, {(num_tags,)}; received {shapes}.")
        self.allowed = allowed
        self.supports_masking = True  # scores pass through with their mask; the methods take it explicitly

    def build(self, input_shape):
        k = self.num_tags
        init = keras.initializers.RandomUniform(-0.1, 0.1)
        self.transitions = self.add_weight(shape=(k, k), initializer=init, name="transitions")
        self.start_transitions = self.add_weight(shape=(k,), initializer=init, name="start_transitions")
        self.end_transitions = self.add_weight(shape=(k,), initializer=init, name="end_transitions")
        self.built = True

    def call(self, potentials, mask=None):
        return potentials

    def _scores(self, dtype):
        """`(transitions, start, end)` with the forbidden ones pushed to `FORBIDDEN`."""
        transitions = ops.cast(self.transitions, dtype)
        start, end = ops.cast(self.start_transitions, dtype), ops.cast(self.end_transitions, dtype)
        if self.allowed is None:
            return transitions, start, end
        penalty = [np.where(np.asarray(a), 0.0, FORBIDDEN).astype("float32") for a in self.allowed]
        return tuple(s + ops.cast(p, dtype) for s, p in zip((transitions, start, end), penalty, strict=True))

    @staticmethod
    def _mask(potentials, mask):
        if mask is None:
            return ops.ones(ops.shape(potentials)[:2], dtype="bool")
        return ops.cast(mask, "bool")

    @staticmethod
    def _steps(potentials, mask):
        """Time-major `(time - 1, batch, tags + 1)`: each step's emissions and, last, whether it is real.
        One tensor rather than two: Keras' TensorFlow `scan` fails on several inputs of unknown length."""
        both = ops.concatenate([potentials, ops.cast(mask, potentials.dtype)[..., None]], axis=-1)
        return ops.moveaxis(both[:, 1:], 1, 0)

    def log_partition(self, potentials, mask=None):
        """`log Z`: the log of the summed exponentiated scores of every tag sequence, per row."""
        potentials = ops.cast(potentials, "float32")
        mask = self._mask(potentials, mask)
        transitions, start, end = self._scores(potentials.dtype)
        steps = self._steps(potentials, mask)

        def step(alpha, inputs):
            emissions, real = inputs[:, :-1], inputs[:, -1] > 0
            scores = ops.logsumexp(alpha[:, :, None] + transitions[None] + emissions[:, None, :], axis=1)
            return ops.where(real[:, None], scores, alpha)

        alpha, _ = scan(step, start[None] + potentials[:, 0], steps)
        return ops.logsumexp(alpha + end[None], axis=1)

    def sequence_score(self, potentials, tags, mask=None):
        """The score of the tag sequences `tags` (batch, time), padding left out."""
        potentials = ops.cast(potentials, "float32")
        mask = self._mask(potentials, mask)
        weights = ops.cast(mask, potentials.dtype)
        tags = ops.cast(tags, "int32")
        transitions, start, end = self._scores(potentials.dtype)
        emissions = ops.take_along_axis(potentials, tags[..., None], axis=2)[..., 0]
        pairs = tags[:, :-1] * self.num_tags + tags[:, 1:]
        moves = ops.take(ops.reshape(transitions, (-1,)), pairs)
        last = ops.maximum(ops.sum(ops.cast(mask, "int32"), axis=1) - 1, 0)
        last_tags = ops.take_along_axis(tags, last[:, None], axis=1)[:, 0]
        return (ops.sum(emissions * weights, axis=1) + ops.sum(moves * weights[:, 1:], axis=1)
                + ops.take(start, tags[:, 0]) + ops.take(end, last_tags))

    def log_likelihood(self, potentials, tags, mask=None):
        """`log p(tags | potentials)` per row: what training maximizes."""
        return self.sequence_score(potentials, tags, mask) - self.log_partition(potentials, mask)

    def decode(self, potentials, mask=None):
        """The best tag sequence of each row (Viterbi), int32 (batch, time); 0 at padding."""
        potentials = ops.cast(potentials, "float32")
        mask = self._mask(potentials, mask)
        transitions, start, end = self._scores(potentials.dtype)
        steps = self._steps(potentials, mask)
        stay = ops.arange(self.num_tags, dtype="int32")[None]

        def forward(score, inputs):
            emissions, real = inputs[:, :-1], inputs[:, -1] > 0
            candidates = score[:, :, None] + transitions[None]
            best = ops.max(candidates, axis=1) + emissions
            # At padding the score stays and the pointer points to the same tag, so the path carries through.
            pointers = ops.where(real[:, None], ops.cast(ops.argmax(candidates, axis=1), "int32"), stay)
            return ops.where(real[:, None], best, score), pointers

        first = start[None] + potentials[:, 0]
        score, pointers = scan(forward, first, steps, output_dtype="int32", output_shape=tf.shape(first))
        last = ops.cast(ops.argmax(score + end[None], axis=1), "int32")

        def backward(tag, pointer):
            previous = ops.take_along_axis(pointer, tag[:, None], axis=1)[:, 0]
            return previous, previous

        _, earlier = scan(backward, last, pointers, reverse=True, output_dtype="int32", output_shape=tf.shape(last))
        tags = ops.concatenate([earlier, last[None]], axis=0)  # (time, batch): positions 0 .. T-1
        return ops.where(mask, ops.transpose(tags), ops.zeros_like(ops.transpose(tags)))

    def get_config(self):
        return {**super().get_config(), "num_tags": self.num_tags, "allowed": self.allowed}


def scheme_constraints(tags, scheme):
    """`(allowed, allowed_start, allowed_end)` for `CRF`: the transitions a tag scheme permits.

    Args:
        tags: the tag names in id order (`O`, `B-PER`, `I-PER`, ...).
        scheme: `IOB1` (an entity may open with `I-`; `B-X` only right after an `X`), `BIO` (an entity
            opens with `B-`) or `BIOES` (`S-` single tokens, `E-` closes).
    """
    scheme = scheme.upper()
    if scheme not in ("IOB1", "BIO", "BIOES"):
        raise ValueError(f"tag scheme must be IOB1, BIO or BIOES; received {scheme!r}.")
    parts = [(t, None) if t == "O" or "-" not in t else tuple(t.split("-", 1)) for t in tags]

    def can_start(prefix):
        return prefix in (None,) or (prefix == "I" if scheme == "IOB1" else prefix in ("B", "S"))

    def can_end(prefix):
        return scheme != "BIOES" or prefix in (None, "E", "S")

    def follows(previous, current):
        (p, p_type), (c, c_type) = previous, current
        if scheme == "BIO":
            return c != "I" or (p in ("B", "I") and p_type == c_type)
        if scheme == "IOB1":
            return c != "B" or (p in ("B", "I") and p_type == c_type)
        inside = p in ("B", "I")  # BIOES: inside an entity, only its I- or E- may come next
        if inside:
            return c in ("I", "E") and p_type == c_type
        return c in (None, "B", "S")

    def prefix(part):
        return None if part[1] is None else part[0]

    normalized = [(prefix(p), p[1]) for p in parts]
    allowed = [[follows(a, b) for b in normalized] for a in normalized]
    return (allowed, [can_start(p) for p, _ in normalized], [can_end(p) for p, _ in normalized])
