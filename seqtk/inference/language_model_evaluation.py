"""Evaluation of a language model over a whole token stream with carried state."""

import math

import tensorflow as tf

from seqtk.data.language_model_dataset import batchify
from seqtk.metrics.perplexity import bits_per_character, perplexity


def evaluate_language_model(model, token_ids, batch_size=10, sequence_length=35, jit_compile=True,
                            character_level=False):
    """Mean NLL over the stream, the state carried from window to window as in training.

    The stream is cut into `batch_size` rows (dropping fewer than
    `batch_size` tokens at the end) and read window by window; every token of
    the rows but the first is predicted once.

    Returns:
        dict with `loss` (nats per token), `perplexity`, `bits_per_token`,
        `tokens`, and `bits_per_character` for character models.
    """
    rows = batchify(token_ids, batch_size)

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def window_nll(inputs, targets, states):
        logits, states = model(inputs, states=states, return_state=True, training=False)
        nll = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)
        return tf.reduce_sum(nll), states

    states = model.get_initial_state(batch_size)
    total, count = 0.0, 0
    length = rows.shape[1] - 1
    for start in range(0, length, sequence_length):
        end = min(start + sequence_length, length)
        nll, states = window_nll(tf.constant(rows[:, start:end]), tf.constant(rows[:, start + 1 : end + 1]), states)
        total += float(nll)
        count += batch_size * (end - start)
    loss = total / count
    result = {
        "loss": loss,
        "perplexity": perplexity(loss),
        "bits_per_token": loss / math.log(2.0),
        "tokens": int(count),
    }
    if character_level:
        result["bits_per_character"] = bits_per_character(loss)
    return result


