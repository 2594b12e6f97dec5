import numpy as np
import pytest
import tensorflow as tf
from export_models import randomized

from seqtk.export.recurrent_graph import RecurrentGraph
from seqtk.layers import RecurrentStack


def stack(cell_type, bidirectional, num_layers=2, residual=False):
    layer = RecurrentStack(
        cell_type, hidden_dim=[6, 6], num_layers=num_layers, bidirectional=bidirectional, residual=residual
    )
    layer.build((1, 7, 6))
    rng = np.random.default_rng(3)
    layer.set_weights([rng.normal(0, 0.7, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


class RecurrentGraphTest:
    @pytest.mark.parametrize("cell_type", ["lstm", "gru", "simple_rnn"])
    @pytest.mark.parametrize("bidirectional", [False, True])
    def test_matches_the_keras_stack_from_given_states(self, cell_type, bidirectional):
        keras_stack = stack(cell_type, bidirectional, residual=not bidirectional)
        graph = RecurrentGraph(keras_stack)
        rng = np.random.default_rng(0)
        inputs = rng.normal(size=(1, 7, 6)).astype("float32")
        states = [rng.normal(0, 0.5, (1, d)).astype("float32") for d in keras_stack.state_dims]
        expected, expected_states = keras_stack(inputs, initial_state=states)
        outputs, final_states, last = tf.function(lambda x, s: graph(x, s))(inputs, states)
        np.testing.assert_allclose(outputs, expected, atol=1e-5)
        for got, want in zip(final_states, expected_states, strict=True):
            if got is not None:  # the fused LSTM's cell state is published after conversion
                np.testing.assert_allclose(got, want, atol=1e-5)
        assert [s is None for s in final_states] == [
            cell_type == "lstm" and i % 2 == 1 for i in range(len(final_states))
        ]
        np.testing.assert_allclose(
            np.concatenate(last, -1), keras_stack.last_output(expected_states), atol=1e-5
        )

    @pytest.mark.parametrize("cell_type", ["gru", "simple_rnn"])
    def test_unrolled_with_padding_mask_matches_keras_masking(self, cell_type):
        keras_stack = stack(cell_type, bidirectional=True)
        graph = RecurrentGraph(keras_stack)
        inputs = np.random.default_rng(1).normal(size=(1, 7, 6)).astype("float32")
        mask = np.array([[True] * 4 + [False] * 3])
        expected, expected_states = keras_stack(inputs, mask=mask)
        zeros = [np.zeros((1, d), "float32") for d in keras_stack.state_dims]
        outputs, final_states, _ = graph(tf.constant(inputs), zeros, mask=tf.constant(mask))
        np.testing.assert_allclose(outputs[:, :4], expected[:, :4], atol=1e-5)
        assert np.all(np.asarray(outputs[:, 4:]) == 0)
        for got, want in zip(final_states, expected_states, strict=True):
            np.testing.assert_allclose(got, want, atol=1e-5)

    def test_state_names_follow_the_keras_state_order(self):
        assert RecurrentGraph(stack("lstm", True)).state_names == [
            "h_0",
            "c_0",
            "h_0_backward",
            "c_0_backward",
            "h_1",
            "c_1",
            "h_1_backward",
            "c_1_backward",
        ]
        assert RecurrentGraph(stack("gru", False), prefix="encoder_").state_names == [
            "encoder_h_0",
            "encoder_h_1",
        ]

    def test_the_fused_lstm_refuses_padding(self):
        graph = RecurrentGraph(stack("lstm", False))
        with pytest.raises(ValueError, match="fused LSTM"):
            graph(tf.zeros((1, 3, 6)), [tf.zeros((1, 6))] * 4, mask=tf.ones((1, 3), tf.bool))


def test_randomized_helper_changes_every_weight():
    layer = stack("gru", False)
    before = [w.copy() for w in layer.get_weights()]
    randomized(layer, seed=5)
    assert all(not np.allclose(a, b) for a, b in zip(before, layer.get_weights(), strict=True))
