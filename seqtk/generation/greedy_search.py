"""Greedy decoding of an encoder-decoder: the most likely token at every step, a whole batch at once."""

import tensorflow as tf

# Padding and the start symbol are never predictions; a large negative keeps them out of argmax and top-k.
NEVER = -1e9


def banned_logits(logits, pad_id=0):
    """Logits with padding made impossible, as `tf.Tensor` float32."""
    return logits + NEVER * tf.one_hot(pad_id, tf.shape(logits)[-1])


def greedy_search(model, source_ids, start_id, end_id, max_length):
    """Greedy translation of a batch: a loop over plain tensors, fit for `tf.function` and XLA.

    Each sentence stops at `end_id` (which is kept in the output) or after
    `max_length` tokens; the loop ends when every sentence has stopped.

    Args:
        model: a `Seq2SeqTranslator` (anything with `encode` and `decode`).
        source_ids: `(batch, time)` int32 source ids, 0-padded.
        start_id: the first decoder input.
        end_id: the end-of-sentence id.
        max_length: the most target tokens per sentence (a Python int).

    Returns:
        `(tokens, scores)`: `(batch, max_length)` int32 ids, 0 after the end, and
        each hypothesis' total log-probability, `(batch,)` float32.
    """
    states, context = model.encode(source_ids, training=False)
    batch = tf.shape(source_ids)[0]
    token = tf.fill([batch], tf.constant(start_id, tf.int32))
    tokens = tf.zeros([batch, max_length], tf.int32)
    finished = tf.zeros([batch], tf.bool)
    scores = tf.zeros([batch], tf.float32)

    def body(step, token, states, finished, scores, tokens):
        logits, states = model.decode(token[:, None], states, context, training=False)
        log_probs = tf.nn.log_softmax(banned_logits(logits[:, 0]))
        best = tf.argmax(log_probs, axis=-1, output_type=tf.int32)
        gained = tf.gather(log_probs, best, axis=1, batch_dims=1)
        scores = scores + tf.where(finished, 0.0, gained)
        best = tf.where(finished, 0, best)
        tokens = tokens + best[:, None] * tf.one_hot(step, max_length, dtype=tf.int32)[None, :]
        return step + 1, best, states, finished | tf.equal(best, end_id), scores, tokens

    _, _, _, _, scores, tokens = tf.while_loop(
        lambda step, token, states, finished, scores, tokens: tf.logical_and(
            step < max_length, tf.logical_not(tf.reduce_all(finished))),
        body,
        (tf.constant(0), token, states, finished, scores, tokens),
        maximum_iterations=max_length,
    )
    return tokens, scores
