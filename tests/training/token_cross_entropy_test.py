import keras
import numpy as np
import pytest
import tensorflow as tf

from seqtk.training.token_cross_entropy import TokenCrossEntropy


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("jit_compile", [False, True])
def test_loss_and_gradient_equal_keras_sparse_cross_entropy(dtype, jit_compile):
    rng = np.random.default_rng(0)
    logits = tf.cast(rng.normal(size=(3, 5, 40)).astype("float32") * 3, dtype)
    labels = tf.constant(rng.integers(0, 40, (3, 5)).astype("int32"))
    weights = tf.constant(rng.uniform(size=(3, 5)).astype("float32"))

    def loss_and_gradient(loss):
        @tf.function(jit_compile=jit_compile)
        def run(logits):
            with tf.GradientTape() as tape:
                tape.watch(logits)
                value = loss(labels, logits, sample_weight=weights)
            return value, tape.gradient(value, logits)

        return run(logits)

    value, gradient = loss_and_gradient(TokenCrossEntropy())
    expected, expected_gradient = loss_and_gradient(keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-5)
    assert gradient.dtype == logits.dtype
    np.testing.assert_allclose(tf.cast(gradient, "float32").numpy(), tf.cast(expected_gradient, "float32").numpy(),
                               atol=1e-6)


def test_it_round_trips_through_keras_serialization():
    loss = keras.losses.deserialize(keras.losses.serialize(TokenCrossEntropy(reduction="sum")))
    assert isinstance(loss, TokenCrossEntropy) and loss.reduction == "sum"
    assert float(loss(np.array([1]), np.array([[0.0, 2.0]]))) == pytest.approx(np.log(1 + np.exp(-2.0)), rel=1e-6)
