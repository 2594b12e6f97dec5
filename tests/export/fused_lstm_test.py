"""The LSTM pass marked for the converter's fused op computes what Keras' LSTM computes."""

import keras
import numpy as np
import tensorflow as tf

from seqtk.export.fused_lstm import fused_lstm_function


class FusedLSTMTest:
    def test_its_body_equals_keras_lstm_and_each_function_has_its_own_mark(self):
        x = np.random.RandomState(2).randn(2, 5, 3).astype("float32")
        layer = keras.layers.LSTM(4, return_sequences=True)
        expected = np.asarray(layer(x))
        kernel, recurrent_kernel, bias = (tf.constant(w) for w in layer.get_weights())
        zeros = tf.zeros((2, 4))
        function = fused_lstm_function()
        last, sequence, h, c, _ = function(tf.constant(x), zeros, zeros, kernel, recurrent_kernel, bias)
        np.testing.assert_allclose(sequence.numpy(), expected, atol=1e-5)
        np.testing.assert_allclose(last.numpy(), expected[:, -1], atol=1e-5)
        np.testing.assert_allclose(h.numpy(), expected[:, -1], atol=1e-5)
        other = fused_lstm_function()
        marks = [f.get_concrete_function(tf.constant(x), zeros, zeros, kernel, recurrent_kernel, bias)
                 .function_def.attr["api_implements"].s for f in (function, other)]
        assert marks[0] != marks[1] and all(m.startswith(b"lstm_") for m in marks)
