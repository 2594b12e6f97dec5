"""Beam search: a beam of one is greedy, a wider beam never scores lower, scores are real log-probabilities."""

import numpy as np
import pytest
import tensorflow as tf
from search_references import END, MAX_LENGTH, sequence_log_prob

from seqtk.generation.beam_search import beam_search, length_normalizer
from seqtk.generation.greedy_search import greedy_search


class BeamSearchTest:
    def test_beam_of_one_is_greedy(self, reverser):
        model, source = reverser
        greedy_tokens, greedy_scores = greedy_search(model, tf.constant(source), END, END, MAX_LENGTH)
        tokens, scores, log_probs = beam_search(model, tf.constant(source), END, END, MAX_LENGTH, beam_size=1)
        np.testing.assert_array_equal(tokens.numpy(), greedy_tokens.numpy())
        np.testing.assert_allclose(log_probs.numpy(), greedy_scores.numpy(), atol=1e-4)
        np.testing.assert_allclose(scores.numpy(), log_probs.numpy(), atol=1e-6)

    @pytest.mark.parametrize("length_penalty", [0.0, 0.6])
    def test_a_wider_beam_never_returns_a_lower_scoring_hypothesis(self, reverser, length_penalty):
        model, source = reverser
        search = tf.function(lambda s, k: beam_search(model, s, END, END, MAX_LENGTH, k, length_penalty),
                             jit_compile=True, reduce_retracing=True)
        previous = None
        for beam_size in (1, 2, 5, 8):
            tokens, scores, log_probs = search(tf.constant(source), beam_size)
            if previous is not None:
                assert (scores.numpy() >= previous - 1e-4).all(), beam_size
            previous = scores.numpy()
            # The reported score is the hypothesis' real log-probability over its length normalizer.
            recomputed = sequence_log_prob(model, source, tokens.numpy())
            np.testing.assert_allclose(log_probs.numpy(), recomputed, atol=2e-3)
            lengths = (tokens.numpy() > 0).sum(1)
            np.testing.assert_allclose(scores.numpy(), recomputed / length_normalizer(lengths, length_penalty).numpy(),
                                       atol=2e-3)

    def test_hypotheses_end_once_and_hold_padding_after_the_end(self, reverser):
        model, source = reverser
        tokens, _, _ = beam_search(model, tf.constant(source), END, END, MAX_LENGTH, beam_size=4)
        for row in tokens.numpy():
            if END in row:
                end = list(row).index(END)
                assert (row[end + 1 :] == 0).all() and (row[:end] > 0).all()

    def test_length_normalizer_is_gnmt_formula(self):
        np.testing.assert_allclose(length_normalizer(tf.constant([1, 7]), 0.6).numpy(),
                                   [1.0, (12 / 6) ** 0.6], rtol=1e-6)
        assert float(length_normalizer(5, 0.0)) == 1.0
