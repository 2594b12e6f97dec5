"""An LSTM pass that the TFLite converter turns into one `UNIDIRECTIONAL_SEQUENCE_LSTM` op."""

import uuid

import tensorflow as tf

# The converter's PrepareCompositeFunctions pass replaces the body of any function whose
# `api_implements` attribute starts with "lstm_" (the mark tf_keras put on its LSTM) by the fused
# builtin, reading the kernel, recurrent kernel and bias in Keras' layout and gate order (i, f, c, o).
# It keeps the function only when its results 2 and 3 (final h and c) are unused, so the final state is
# not read from the graph; `state_signatures` exposes the fused op's state tensors instead.
_KERAS_LSTM_PREFIX = "lstm_"


def _standard_lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias):
    """Keras' `standard_lstm` signature and results; the converter fuses it, TensorFlow runs this body."""
    projected = tf.einsum("btf,fg->btg", inputs, kernel) + bias
    steps = tf.shape(inputs)[1]
    outputs = tf.TensorArray(inputs.dtype, size=steps)

    def body(t, h, c, outputs):
        z = projected[:, t] + tf.matmul(h, recurrent_kernel)
        i, f, g, o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return t + 1, h, c, outputs.write(t, h)

    _, h, c, outputs = tf.while_loop(lambda t, *_: t < steps, body, (0, initial_h, initial_c, outputs))
    sequence = tf.transpose(outputs.stack(), [1, 0, 2])
    return sequence[:, -1], sequence, h, c, tf.constant(0.0)


def fused_lstm_function():
    """A fresh `tf.function` for one LSTM direction, marked so that the converter fuses it.

    Call it as `last, sequence, _, _, _ = fn(inputs, h, c, kernel, recurrent_kernel, bias)` and read
    only `last` or `sequence`. The batch size and the state shapes must be static when traced.
    """
    attributes = {
        "api_implements": _KERAS_LSTM_PREFIX + uuid.uuid4().hex,
        "api_preferred_device": "CPU",
        "time_major": False,
        "go_backwards": False,
    }
    return tf.function(_standard_lstm, experimental_attributes=attributes, autograph=False)
