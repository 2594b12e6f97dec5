"""Samplers by name: greedy, temperature, top-k, top-p."""

import numpy as np
import pytest
import tensorflow as tf

from seqtk.generation import get_sampler
from seqtk.generation.sampler import draw


class SamplerTest:
    def test_greedy_is_argmax(self):
        logits = tf.constant([[0.1, 3.0, 0.2], [5.0, 0.0, 1.0]])
        np.testing.assert_array_equal(get_sampler("greedy")(logits, tf.constant([0, 0])), [1, 0])

    def test_top_k_only_draws_from_the_k_best(self):
        logits = tf.constant([[0.0, 1.0, 2.0, 3.0, 4.0]] * 500)
        ids = get_sampler("top_k", k=2)(logits, tf.constant([1, 2])).numpy()
        assert set(ids) == {3, 4}

    def test_top_p_keeps_the_smallest_set_reaching_p(self):
        probabilities = np.array([0.5, 0.3, 0.15, 0.05])
        logits = tf.constant([np.log(probabilities)] * 1000, dtype=tf.float32)
        ids = get_sampler("top_p", p=0.75)(logits, tf.constant([3, 4])).numpy()
        assert set(ids) == {0, 1}
        assert abs((ids == 0).mean() - 0.5 / 0.8) < 0.06

    def test_low_temperature_approaches_greedy(self):
        logits = tf.constant([[1.0, 1.5, 0.5]] * 200)
        ids = get_sampler("temperature", temperature=0.01)(logits, tf.constant([5, 6])).numpy()
        assert set(ids) == {1}

    def test_pick_walks_the_filtered_distribution_at_the_given_numbers(self):
        logits = tf.constant([[0.0, 1.0, 2.0, 3.0, 4.0]] * 3)
        # Top-2 keeps ids 3 and 4, with masses 1 / (1 + e) and e / (1 + e) = 0.269 and 0.731.
        ids = get_sampler("top_k", k=2).pick(logits, tf.constant([0.0, 0.26, 0.28])).numpy()
        np.testing.assert_array_equal(ids, [3, 3, 4])
        np.testing.assert_array_equal(get_sampler("greedy").pick(logits, tf.constant([0.0, 0.5, 0.9])), [4, 4, 4])
        seeded = get_sampler("temperature")(logits, tf.constant([4, 5]))
        uniform = tf.random.stateless_uniform([3], seed=tf.constant([4, 5]))
        np.testing.assert_array_equal(get_sampler("temperature").pick(logits, uniform), seeded)

    def test_bad_sampler_arguments(self):
        with pytest.raises(ValueError, match="Unknown sampler 'nucleus'"):
            get_sampler("nucleus")
        with pytest.raises(ValueError, match="temperature must be positive"):
            get_sampler("top_k", temperature=0)


class DrawTest:
    def test_frequencies_follow_the_softmax(self):
        probabilities = np.array([0.05, 0.5, 0.0, 0.3, 0.15], np.float32)
        logits = tf.constant(np.log(np.maximum(probabilities, 1e-30))[None].repeat(20000, 0))
        ids = draw(logits, tf.constant([7, 8])).numpy()
        frequencies = np.bincount(ids, minlength=5) / len(ids)
        assert frequencies[2] == 0
        # Four standard errors of a proportion from 20000 draws is at most 0.0142.
        np.testing.assert_allclose(frequencies, probabilities, atol=0.0142)

    @pytest.mark.parametrize("jit_compile", [True, False])
    def test_frequencies_follow_the_softmax_across_blocks(self, jit_compile):
        # 1000 tokens are eight blocks, the last one padded; the mass sits at block edges, the rest has none.
        probabilities = np.zeros(1000, np.float32)
        probabilities[[0, 127, 128, 500, 998, 999]] = [0.1, 0.2, 0.25, 0.05, 0.3, 0.1]
        logits = np.where(probabilities > 0, np.log(np.maximum(probabilities, 1e-30)), -1e9).astype(np.float32)
        ids = tf.function(draw, jit_compile=jit_compile)(tf.constant(logits[None].repeat(20000, 0)),
                                                         tf.constant([5, 6])).numpy()
        frequencies = np.bincount(ids, minlength=1000) / len(ids)
        np.testing.assert_allclose(frequencies, probabilities, atol=0.0142)
        assert set(ids) == {0, 127, 128, 500, 998, 999}

    @pytest.mark.parametrize("jit_compile", [True, False])
    def test_masked_tokens_are_never_drawn_and_a_seed_repeats(self, jit_compile):
        logits = np.random.default_rng(3).normal(size=(64, 65)).astype(np.float32)
        logits[:, :40] = -1e9
        # XLA's stateless random numbers are not eager TensorFlow's: a seed repeats within one of them.
        drawn = tf.function(draw, jit_compile=jit_compile)
        first = drawn(tf.constant(logits), tf.constant([1, 2])).numpy()
        assert first.min() >= 40
        np.testing.assert_array_equal(first, drawn(tf.constant(logits), tf.constant([1, 2])).numpy())
        assert not np.array_equal(first, drawn(tf.constant(logits), tf.constant([1, 3])).numpy())

    def test_a_point_at_the_top_takes_the_most_likely_token(self):
        # One token of all the mass and ones of none: however the point rounds, only that token comes.
        logits = tf.constant([[-1e9, -1e9, 0.0, -1e9]] * 1000)
        assert set(draw(logits, tf.constant([0, 1])).numpy()) == {2}
