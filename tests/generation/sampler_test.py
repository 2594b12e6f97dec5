"""Samplers by name: greedy, temperature, top-k, top-p."""

import numpy as np
import pytest
import tensorflow as tf

from seqtk.generation import get_sampler


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

    def test_bad_sampler_arguments(self):
        with pytest.raises(ValueError, match="Unknown sampler 'nucleus'"):
            get_sampler("nucleus")
        with pytest.raises(ValueError, match="temperature must be positive"):
            get_sampler("top_k", temperature=0)
