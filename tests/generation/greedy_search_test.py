"""Greedy search in a compiled loop, against a step-by-step argmax."""

import numpy as np
import tensorflow as tf
from search_references import END, MAX_LENGTH, reference_greedy

from seqtk.generation.greedy_search import greedy_search


class GreedySearchTest:
    def test_greedy_search_equals_a_step_by_step_argmax(self, reverser):
        model, source = reverser
        tokens, _ = tf.function(lambda s: greedy_search(model, s, END, END, MAX_LENGTH), jit_compile=True)(source)
        np.testing.assert_array_equal(tokens.numpy(), reference_greedy(model, source))

    def test_the_model_has_learned_part_of_the_task(self, reverser):
        model, source = reverser
        tokens, _ = greedy_search(model, tf.constant(source), END, END, MAX_LENGTH)
        correct = [list(t[: list(t).index(END)]) == list(s[s > 0][::-1]) if END in t else False
                   for t, s in zip(tokens.numpy(), source)]
        assert 0.2 < np.mean(correct) < 1.0  # a search has choices to make only where the model is unsure
