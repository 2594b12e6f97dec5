"""A trained Keras `Dense` layer as a TensorFlow function of constants."""

import keras
import numpy as np
import tensorflow as tf

_ACTIVATIONS = {"linear": tf.identity, "relu": tf.nn.relu, "tanh": tf.tanh, "sigmoid": tf.sigmoid}


def frozen_dense(layer):
    """`x -> activation(x @ kernel + bias)` with the layer's trained weights baked in as constants.

    The converter turns it into one FULLY_CONNECTED op (with a fused ReLU or a following TANH).
    """
    name = keras.activations.serialize(layer.activation)
    name = name if isinstance(name, str) else name.get("config", {}).get("name", name.get("class_name"))
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"Layer {layer.name!r} uses activation {name!r}; export handles {sorted(_ACTIVATIONS)}."
        )
    kernel = tf.constant(np.asarray(layer.kernel, np.float32))
    bias = tf.constant(np.asarray(layer.bias, np.float32)) if layer.use_bias else None
    activation = _ACTIVATIONS[name]

    def dense(x):
        y = tf.matmul(x, kernel)
        return activation(y if bias is None else y + bias)

    return dense
