"""Top-k and top-p cut-offs by bit search against sorting, inside and outside XLA."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seqtk.generation.logit_cutoff import kth_largest, nucleus_cutoff


def sorted_nucleus_cutoff(logits, p):
    """The reference: sort each row, keep a token while the probability before it is below p."""
    cutoffs = []
    for row in np.asarray(logits, np.float64):
        order = np.sort(row)[::-1]
        probabilities = np.exp(order - order.max())
        probabilities /= probabilities.sum()
        before = np.cumsum(probabilities) - probabilities
        cutoffs.append(order[before < p].min())
    return np.array(cutoffs, np.float32)


def rows(seed, vocabulary, ties=False):
    logits = np.random.default_rng(seed).normal(scale=4.0, size=(16, vocabulary)).astype(np.float32)
    if ties:
        logits = np.round(logits)
    logits[0] = -np.abs(logits[0])  # all negative
    logits[1, :3] = -1e9  # tokens made impossible, as padding is
    logits[2] = 0.0  # one value throughout
    return logits


@pytest.mark.parametrize("jit_compile", [True, False])
class LogitCutoffTest:
    @pytest.mark.parametrize("vocabulary,ties", [(65, False), (65, True), (1000, True), (5, False)])
    def test_kth_largest_is_top_k_s_last_value(self, jit_compile, vocabulary, ties):
        logits = rows(vocabulary, vocabulary, ties)
        ks = sorted({1, 2, min(20, vocabulary), vocabulary})
        # One function for every k: XLA compiles each function once, and compiling is most of this test's time.
        found = tf.function(lambda x: [kth_largest(x, k) for k in ks], jit_compile=jit_compile)(logits)
        for k, values in zip(ks, found, strict=True):
            np.testing.assert_array_equal(values, tf.math.top_k(logits, k).values[:, -1], err_msg=f"k={k}")

    @pytest.mark.parametrize("vocabulary,ties", [(65, False), (65, True), (1000, False)])
    def test_nucleus_cutoff_is_the_sorted_one(self, jit_compile, vocabulary, ties):
        logits = rows(vocabulary + 1, vocabulary, ties)
        ps = (0.1, 0.5, 0.9, 0.999)
        found = tf.function(lambda x: [nucleus_cutoff(x, p) for p in ps], jit_compile=jit_compile)(logits)
        for p, cutoffs in zip(ps, found, strict=True):
            np.testing.assert_array_equal(cutoffs, sorted_nucleus_cutoff(logits, p), err_msg=f"p={p}")

    def test_every_token_stays_when_no_mass_reaches_p(self, jit_compile):
        # What p = 1 meets when the row's mass rounds below 1; p above 1 makes it certain.
        logits = rows(7, 65)
        found = tf.function(lambda x: nucleus_cutoff(x, 1.5), jit_compile=jit_compile)(logits)
        np.testing.assert_array_equal(found, logits.min(axis=1))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float32, (3, 17), elements=st.floats(width=32, allow_nan=False, allow_infinity=False, allow_subnormal=False)), st.integers(1, 17))
def test_kth_largest_agrees_with_top_k_on_any_finite_logits(logits, k):
    # Not subnormal ones: TensorFlow flushes them to zero on CPUs, so its top_k takes them for ties of 0.
    np.testing.assert_array_equal(kth_largest(logits, k), tf.math.top_k(logits, k).values[:, -1])
