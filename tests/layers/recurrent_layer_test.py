"""One direction of one recurrent layer against hand-computed steps and Keras' own layers."""

import keras
import numpy as np
import pytest

from seqtk.layers import RecurrentLayer

KERAS_LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple_rnn": keras.layers.SimpleRNN}


class RecurrentLayerTest:
    def test_constant_weights_give_hand_computed_lstm_step(self):
        layer = RecurrentLayer("lstm", units=1)
        layer.build((1, 1, 1))
        layer.set_weights([np.full((1, 4), 0.5, "float32"), np.full((1, 4), 0.5, "float32"), np.zeros(4, "float32")])
        x = np.array([[[1.0], [2.0]]], "float32")
        sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        h = c = 0.0
        expected = []
        for value in (1.0, 2.0):
            z = 0.5 * value + 0.5 * h
            c = sigmoid(z) * c + sigmoid(z) * np.tanh(z)
            h = sigmoid(z) * np.tanh(c)
            expected.append(h)
        outputs, _ = layer(x)
        np.testing.assert_allclose(outputs[0, :, 0], expected, atol=1e-6)

    @pytest.mark.parametrize("cell_type", sorted(KERAS_LAYERS))
    @pytest.mark.parametrize("go_backwards", [False, True])
    def test_matches_keras_one_layer_in_either_direction(self, cell_type, go_backwards):
        x = np.random.RandomState(1).randn(2, 6, 3).astype("float32")
        layer = RecurrentLayer(cell_type, units=4, go_backwards=go_backwards)
        outputs, _ = layer(x)
        reference = KERAS_LAYERS[cell_type](4, return_sequences=True, go_backwards=go_backwards)
        reference(x)
        reference.set_weights(layer.get_weights())
        expected = np.asarray(reference(x))
        # Keras returns a backward layer's outputs in reading order; seqtk's are in the text's order.
        np.testing.assert_allclose(outputs, expected[:, ::-1] if go_backwards else expected, atol=1e-5)
