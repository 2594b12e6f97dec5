"""Beam search for an encoder-decoder, over a whole batch, as one loop over plain tensors."""

import tensorflow as tf

from seqtk.generation.greedy_search import NEVER, banned_logits


def length_normalizer(length, length_penalty):
    """GNMT's length penalty ((5 + length) / 6) ** α (Wu et al. 2016); α = 0 ranks by total log-probability."""
    return tf.pow((5.0 + tf.cast(length, tf.float32)) / 6.0, length_penalty)


def beam_search(model, source_ids, start_id, end_id, max_length, beam_size=5, length_penalty=0.0):
    """The highest-scoring translation of each source found with `beam_size` hypotheses per sentence.

    Each step extends every live hypothesis by every token and keeps the
    `2 * beam_size` best; those among the first `beam_size` that end in
    `end_id` join the finished list (scored by log-probability over
    `length_normalizer`), the best `beam_size` others stay alive. A sentence is done when no live hypothesis, even
    scored at the longest length, can beat its best finished one, so with
    `beam_size=1` and `length_penalty=0` the result is exactly greedy decoding.

    Args:
        model: a `Seq2SeqTranslator` (anything with `encode` and `decode`).
        source_ids: `(batch, time)` int32 source ids, 0-padded.
        start_id, end_id: the first decoder input and the end-of-sentence id.
        max_length: the most target tokens per hypothesis (a Python int).
        beam_size: hypotheses kept per sentence (a Python int).
        length_penalty: α of `length_normalizer`.

    Returns:
        `(tokens, scores, log_probs)`: `(batch, max_length)` int32 ids of the best
        hypothesis (ending in `end_id` unless cut at `max_length`, 0 after),
        its normalized score and its total log-probability, `(batch,)` each.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1; received {beam_size}.")
    k = beam_size
    states, context = model.encode(source_ids, training=False)
    batch = tf.shape(source_ids)[0]
    states = [tf.repeat(s, k, axis=0) for s in states]
    context = tf.repeat(context, k, axis=0)
    offsets = k * tf.range(batch)[:, None]

    token = tf.fill([batch * k], tf.constant(start_id, tf.int32))
    alive_tokens = tf.zeros([batch, k, max_length], tf.int32)
    # Every beam starts from the same start symbol: only the first may grow at step one.
    alive_scores = tf.concat([tf.zeros([batch, 1]), tf.fill([batch, k - 1], NEVER)], axis=1)
    finished_tokens = tf.zeros([batch, k, max_length], tf.int32)
    finished_scores = tf.fill([batch, k], NEVER)
    finished_log_probs = tf.fill([batch, k], NEVER)
    best_possible = length_normalizer(max_length, length_penalty)

    def body(step, token, states, alive_tokens, alive_scores, finished_tokens, finished_scores, finished_log_probs):
        logits, states = model.decode(token[:, None], states, context, training=False)
        log_probs = tf.nn.log_softmax(banned_logits(logits[:, 0]))
        vocabulary = tf.shape(log_probs)[-1]
        candidates = tf.reshape(alive_scores[:, :, None] + tf.reshape(log_probs, [batch, k, vocabulary]),
                                [batch, k * vocabulary])
        top_scores, top_indices = tf.math.top_k(candidates, 2 * k)
        origin = top_indices // vocabulary
        new_token = top_indices % vocabulary
        sequences = tf.gather(alive_tokens, origin, batch_dims=1)
        sequences += new_token[:, :, None] * tf.one_hot(step, max_length, dtype=tf.int32)[None, None, :]
        ended = tf.equal(new_token, end_id)
        # As in fairseq, an ending counts only among the k best candidates, so beam 1 stays greedy.
        finishing = tf.logical_and(ended, tf.range(2 * k)[None, :] < k)

        alive_scores, keep = tf.math.top_k(tf.where(ended, NEVER, top_scores), k)
        alive_tokens = tf.gather(sequences, keep, batch_dims=1)
        rows = tf.reshape(tf.gather(origin, keep, batch_dims=1) + offsets, [-1])
        states = [tf.gather(s, rows) for s in states]
        token = tf.reshape(tf.gather(new_token, keep, batch_dims=1), [-1])

        normalized = top_scores / length_normalizer(step + 1, length_penalty)
        pooled_scores = tf.concat([finished_scores, tf.where(finishing, normalized, NEVER)], axis=1)
        pooled_log_probs = tf.concat([finished_log_probs, tf.where(finishing, top_scores, NEVER)], axis=1)
        pooled_tokens = tf.concat([finished_tokens, sequences], axis=1)
        finished_scores, best = tf.math.top_k(pooled_scores, k)
        finished_log_probs = tf.gather(pooled_log_probs, best, batch_dims=1)
        finished_tokens = tf.gather(pooled_tokens, best, batch_dims=1)
        return (step + 1, token, states, alive_tokens, alive_scores, finished_tokens, finished_scores,
                finished_log_probs)

    def undecided(step, token, states, alive_tokens, alive_scores, finished_tokens, finished_scores, _):
        # Log-probabilities only fall as a hypothesis grows, so its best possible score is now / lp(max).
        hopeful = alive_scores[:, 0] / best_possible > finished_scores[:, 0]
        return tf.logical_and(step < max_length, tf.reduce_any(hopeful))

    step, _, _, alive_tokens, alive_scores, finished_tokens, finished_scores, finished_log_probs = tf.while_loop(
        undecided, body,
        (tf.constant(0), token, states, alive_tokens, alive_scores, finished_tokens, finished_scores,
         finished_log_probs),
        maximum_iterations=max_length,
    )
    # Hypotheses cut at max_length compete with the finished ones.
    alive_normalized = alive_scores[:, 0] / length_normalizer(step, length_penalty)
    use_alive = alive_normalized > finished_scores[:, 0]
    tokens = tf.where(use_alive[:, None], alive_tokens[:, 0], finished_tokens[:, 0])
    scores = tf.where(use_alive, alive_normalized, finished_scores[:, 0])
    log_probs = tf.where(use_alive, alive_scores[:, 0], finished_log_probs[:, 0])
    return tokens, scores, log_probs
