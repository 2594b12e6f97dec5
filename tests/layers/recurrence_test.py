import itertools

import numpy as np
import pytest
import tensorflow as tf

from seqtk.layers import RecurrentLayer
from seqtk.layers.recurrence import recurrence

CELLS = ("lstm", "gru", "simple_rnn")


def random_mask(batch, time, rng):
    """Padding at the end of some rows and a hole in the middle of another (Keras allows any mask)."""
    mask = np.ones((batch, time), bool)
    mask[0, time - 3 :] = False
    mask[1, 2:4] = False
    mask[2, 0] = False
    mask[:, :] &= rng.random((batch, time)) < 0.9
    return mask


def layer_gradients(layer, x, states, mask):
    """The layer's outputs, final states and the gradients of a random loss with respect to everything."""
    rng = np.random.default_rng(7)
    probe = tf.constant(rng.normal(size=(x.shape[0], x.shape[1], layer.units)).astype("float32"))
    state_probes = [tf.constant(rng.normal(size=s.shape).astype("float32")) for s in states]
    x, states = tf.constant(x), [tf.constant(s) for s in states]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, *states])
        outputs, final = layer(x, initial_state=states, mask=mask, training=True)
        loss = tf.reduce_sum(outputs * probe) + sum(tf.reduce_sum(s * p) for s, p in zip(final, state_probes))
    gradients = tape.gradient(loss, [x, *states, *layer.trainable_weights])
    assert all(g is not None for g in gradients)
    return [outputs, *final], gradients


class RecurrenceTest:
    @pytest.mark.parametrize(
        "cell_type, masked, go_backwards, dropout",
        list(itertools.product(CELLS, (False, True), (False, True), (False, True))),
    )
    def test_gradients_match_automatic_differentiation(self, cell_type, masked, go_backwards, dropout):
        rng = np.random.default_rng(0)
        batch, time, features, units = 4, 9, 5, 6
        x = rng.normal(size=(batch, time, features)).astype("float32")
        count = 2 if cell_type == "lstm" else 1
        states = [rng.normal(size=(batch, units)).astype("float32") * 0.5 for _ in range(count)]
        mask = tf.constant(random_mask(batch, time, rng)) if masked else None
        rates = {"weight_dropout": 0.3, "recurrent_dropout": 0.25} if dropout else {}
        weights = None
        results = []
        for whole_sequence in (True, False):
            # The same seed gives both layers the same dropout masks on their first call.
            layer = RecurrentLayer(cell_type, units, go_backwards=go_backwards, seed=3, **rates)
            layer.build(x.shape)
            weights = weights or [rng.normal(size=w.shape).astype("float32") * 0.4
                                  for w in layer.get_weights()]
            layer.set_weights(weights)
            layer.whole_sequence_gradient = whole_sequence
            results.append(layer_gradients(layer, x, states, mask))
        (fast_values, fast_gradients), (reference_values, reference_gradients) = results
        for fast, reference in zip(fast_values, reference_values):
            np.testing.assert_allclose(fast, reference, atol=1e-5)
        names = ["inputs", *(f"state {i}" for i in range(len(states))), "kernel", "recurrent_kernel", "bias"]
        for name, fast, reference in zip(names, fast_gradients, reference_gradients):
            np.testing.assert_allclose(fast, reference, atol=2e-4, rtol=1e-4, err_msg=name)
        if dropout:
            # The masks were really on: the same layer without dropout computes something else.
            plain = RecurrentLayer(cell_type, units, go_backwards=go_backwards)
            plain.build(x.shape)
            plain.set_weights(weights)
            outputs, _ = plain(x, initial_state=states, mask=mask, training=True)
            assert np.abs(np.asarray(outputs) - np.asarray(fast_values[0])).max() > 1e-2

    @pytest.mark.parametrize("cell_type", CELLS)
    def test_gradient_matches_finite_differences(self, cell_type):
        # float64 so that central differences are accurate to ~1e-8.
        rng = np.random.default_rng(1)
        time, batch, units = 5, 3, 4
        gates = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell_type] * units
        xs = tf.constant(rng.normal(size=(time, batch, gates)))
        kernel = tf.constant(rng.normal(size=(units, gates)) * 0.5)
        bias = tf.constant(rng.normal(size=(gates,)) * 0.1)
        count = 2 if cell_type == "lstm" else 1
        states = [tf.constant(rng.normal(size=(batch, units)) * 0.5) for _ in range(count)]
        mask = tf.constant(random_mask(batch, time, rng).T)
        state_mask = tf.constant((rng.random((batch, units)) > 0.3) / 0.7)
        probe = tf.constant(rng.normal(size=(time, batch, units)))

        def loss(xs, kernel, bias, *states):
            outputs, final = recurrence(
                cell_type, xs, kernel, list(states), recurrent_bias=bias if cell_type == "gru" else None,
                mask=mask, state_mask=state_mask,
            )
            return tf.reduce_sum(outputs * probe) + sum(tf.reduce_sum(s * s) for s in final)

        arguments = [xs, kernel, bias, *states]
        if cell_type != "gru":
            arguments.pop(2)
            analytic, numeric = tf.test.compute_gradient(
                lambda x, k, *s: loss(x, k, bias, *s), arguments, delta=1e-6)
        else:
            analytic, numeric = tf.test.compute_gradient(loss, arguments, delta=1e-6)
        for a, n in zip(analytic, numeric):
            np.testing.assert_allclose(a, n, atol=1e-6)

    @pytest.mark.parametrize("cell_type", CELLS)
    def test_unrolled_while_loop_and_xla_forms_agree(self, cell_type, monkeypatch):
        import seqtk.layers.recurrence as recurrence_module

        rng = np.random.default_rng(4)
        time, batch, units = 6, 3, 5
        gates = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell_type] * units
        xs = tf.constant(rng.normal(size=(time, batch, gates)).astype("float32"))
        kernel = tf.constant(rng.normal(size=(units, gates)).astype("float32") * 0.5)
        bias = tf.constant(rng.normal(size=(gates,)).astype("float32") * 0.1)
        states = [tf.constant(rng.normal(size=(batch, units)).astype("float32"))
                  for _ in range(2 if cell_type == "lstm" else 1)]
        mask = tf.constant(random_mask(batch, time, rng).T)
        probe = tf.constant(rng.normal(size=(time, batch, units)).astype("float32"))

        def values_and_gradients(xs, kernel, bias, states):
            with tf.GradientTape() as tape:
                tape.watch([xs, kernel, bias, *states])
                outputs, final = recurrence(cell_type, xs, kernel, list(states), mask=mask,
                                            recurrent_bias=bias if cell_type == "gru" else None)
                loss = tf.reduce_sum(outputs * probe) + sum(tf.reduce_sum(s * s) for s in final)
            gradients = tape.gradient(loss, [xs, kernel, *states] + ([bias] if cell_type == "gru" else []))
            return [outputs, *final, *gradients]

        looped = tf.function(values_and_gradients)(xs, kernel, bias, states)  # float32 is not unrolled
        compiled = tf.function(values_and_gradients, jit_compile=True)(xs, kernel, bias, states)
        monkeypatch.setattr(recurrence_module, "UNROLL_DTYPES", (tf.float32,))
        unrolled = tf.function(values_and_gradients)(xs, kernel, bias, states)
        for a, b, c in zip(unrolled, looped, compiled, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6)
            np.testing.assert_allclose(a, c, atol=1e-5)

    def test_the_loop_is_unrolled_only_outside_xla(self):
        from seqtk.layers.recurrence import _in_xla

        assert not _in_xla()
        assert not tf.function(lambda: tf.constant(_in_xla()))().numpy()
        assert tf.function(lambda: tf.constant(_in_xla()), jit_compile=True)().numpy()

    def test_forward_matches_keras_loop_in_training(self):
        # Training (the whole-sequence path) and inference (Keras' loop) agree when there is no dropout.
        x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype("float32")
        for cell_type in CELLS:
            layer = RecurrentLayer(cell_type, units=5, go_backwards=True)
            trained, trained_states = layer(x, training=True)
            inferred, inferred_states = layer(x, training=False)
            np.testing.assert_allclose(trained, inferred, atol=1e-6)
            for a, b in zip(trained_states, inferred_states):
                np.testing.assert_allclose(a, b, atol=1e-6)

    def test_compiles_with_xla_and_mixed_precision(self):
        import keras

        x = np.random.default_rng(3).normal(size=(2, 7, 3)).astype("float32")
        for cell_type in CELLS:
            layer = RecurrentLayer(cell_type, units=4, dtype="mixed_bfloat16")
            layer.build(x.shape)

            @tf.function(jit_compile=True)
            def step(x):
                with tf.GradientTape() as tape:
                    outputs, _ = layer(x, training=True)
                    loss = tf.reduce_sum(tf.cast(outputs, "float32"))
                return loss, tape.gradient(loss, layer.trainable_weights)

            loss, gradients = step(tf.constant(x))
            assert outputs_dtype(layer, x) == "bfloat16"
            assert all(g.dtype == tf.float32 and np.isfinite(g.numpy()).all() for g in gradients)
            with keras.device("cpu"):
                reference = RecurrentLayer(cell_type, units=4)
                reference.build(x.shape)
                reference.set_weights(layer.get_weights())
                np.testing.assert_allclose(loss, tf.reduce_sum(reference(x, training=True)[0]), rtol=0.05)


def outputs_dtype(layer, x):
    return layer(x, training=True)[0].dtype


def test_training_outputs_keep_static_shapes():
    # The loss of a step checks logits against labels; an unknown time dimension turns that into an Assert op.
    layer = RecurrentLayer("gru", units=3)

    @tf.function
    def outputs(x):
        sequence, _ = layer(x, training=True)
        assert sequence.shape.as_list() == [2, 7, 3]
        return sequence

    outputs.get_concrete_function(tf.TensorSpec((2, 7, 4)))
