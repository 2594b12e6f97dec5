"""A language model driven one token at a time from Python, for many streams at once."""

import numpy as np
import tensorflow as tf

from seqtk.generation.language_model_step import LanguageModelStep


def bucket(size):
    """The batch size a batch of `size` rows is run at: the next power of two, so a server whose batches come
    in every size compiles at most log2(max) programs."""
    return 1 << max(0, int(size) - 1).bit_length()


class KerasStepRunner:
    """`prefill` and `step` of a Keras `LanguageModel` on numpy arrays, each compiled with XLA once per bucket of
    batch sizes (1, 2, 4, ...). States are a list of `(batch, dim)` arrays in the model's state order, so rows
    can join and leave a running batch between steps (`seqtk.generation.StreamBatch`). A step is a
    `LanguageModelStep` in `precision` (`"float32"` or `"bfloat16"` products), made from the weights as they
    are when the runner is.

    Example:
    >>> runner = KerasStepRunner(model)
    >>> logits, states = runner.prefill([[5, 6, 7], [8]])
    >>> logits, states = runner.step(np.array([3, 4]), states)
    """

    def __init__(self, model, jit_compile=True, precision="float32"):
        self.model = model
        self.reverse = bool(getattr(model, "reverse", False))
        self.language_model_step = LanguageModelStep(model, precision)
        # One trace for every prompt width and batch size: the prefill is not compiled with XLA.
        self._prefill = tf.function(self._prefill_fn, jit_compile=False, input_signature=[
            tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32)])
        self._step = tf.function(self._step_fn, jit_compile=jit_compile)

    def _prefill_fn(self, token_ids, lengths):
        mask = tf.sequence_mask(lengths, tf.shape(token_ids)[1])
        states = self.model.start_states(tf.shape(token_ids)[0])
        logits, states = self.model(token_ids, states=states, padding_mask=mask, return_state=True, training=False)
        return tf.gather(logits, lengths - 1, axis=1, batch_dims=1), states

    def _step_fn(self, tokens, states):
        return self.language_model_step(tokens, list(states))

    def prefill(self, prompt_ids):
        """`(logits, states)` after reading each prompt (a list of id lists) from the model's start state."""
        rows = len(prompt_ids)
        width = max(len(ids) for ids in prompt_ids)
        padded = np.zeros((bucket(rows), width), np.int32)
        lengths = np.ones(bucket(rows), np.int32)
        for row, ids in enumerate(prompt_ids):
            padded[row, : len(ids)] = ids
            lengths[row] = len(ids)
        logits, states = self._prefill(tf.constant(padded), tf.constant(lengths))
        return np.asarray(logits)[:rows], [np.asarray(state)[:rows] for state in states]

    def step(self, tokens, states):
        """`(logits, states)` after feeding one token to each row."""
        rows = len(tokens)
        size = bucket(rows)
        padded_tokens = np.zeros(size, np.int32)
        padded_tokens[:rows] = tokens
        padded_states = [np.pad(state, ((0, size - rows), (0, 0))) for state in states]
        logits, states = self._step(tf.constant(padded_tokens), [tf.constant(s) for s in padded_states])
        return np.asarray(logits)[:rows], [np.asarray(state)[:rows] for state in states]
