import keras
import numpy as np
import pytest

from seqtk.layers import RecurrentLayer, RecurrentStack

KERAS_LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple_rnn": keras.layers.SimpleRNN}


def inputs(batch=3, time=7, features=5, seed=0):
    return np.random.RandomState(seed).randn(batch, time, features).astype("float32")


class RecurrentStackTest:
    @pytest.mark.parametrize("cell_type", sorted(KERAS_LAYERS))
    def test_matches_keras_layer_with_same_weights(self, cell_type):
        x = inputs()
        stack = RecurrentStack(cell_type, hidden_dim=4, num_layers=2)
        outputs, states = stack(x)
        reference = keras.Sequential(
            [keras.Input((7, 5))] + [KERAS_LAYERS[cell_type](4, return_sequences=True) for _ in range(2)]
        )
        reference.set_weights(stack.get_weights())
        np.testing.assert_allclose(outputs, reference(x), atol=1e-5)
        np.testing.assert_allclose(states[-(2 if cell_type == "lstm" else 1)], reference(x)[:, -1], atol=1e-5)

    @pytest.mark.parametrize("cell_type", sorted(KERAS_LAYERS))
    def test_bidirectional_matches_keras_bidirectional(self, cell_type):
        x = inputs()
        stack = RecurrentStack(cell_type, hidden_dim=4, bidirectional=True)
        outputs, _ = stack(x)
        reference = keras.layers.Bidirectional(KERAS_LAYERS[cell_type](4, return_sequences=True))
        reference(x)
        reference.set_weights(stack.get_weights())
        np.testing.assert_allclose(outputs, reference(x), atol=1e-5)

    def test_initial_state_in_final_state_out_continues_a_sequence(self):
        x = inputs(time=10)
        stack = RecurrentStack("lstm", hidden_dim=6, num_layers=2)
        whole, whole_states = stack(x)
        first, states = stack(x[:, :4])
        second, final = stack(x[:, 4:], initial_state=states)
        np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-5)
        for a, b in zip(final, whole_states, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-5)

    @pytest.mark.parametrize("bidirectional", [False, True])
    def test_padding_does_not_change_the_result(self, bidirectional):
        stack = RecurrentStack("gru", hidden_dim=5, num_layers=2, bidirectional=bidirectional, return_sequences=False)
        x = inputs(batch=1, time=4)
        alone, _ = stack(x)
        padded = np.concatenate([x, np.random.randn(1, 3, 5).astype("float32")], axis=1)
        mask = np.array([[True] * 4 + [False] * 3])
        in_batch, _ = stack(padded, mask=mask)
        np.testing.assert_allclose(in_batch, alone, atol=1e-5)

    def test_residual_adds_layer_input(self):
        x = inputs(features=4)
        plain = RecurrentStack("simple_rnn", hidden_dim=4, num_layers=2)
        residual = RecurrentStack("simple_rnn", hidden_dim=4, num_layers=2, residual=True)
        plain(x)
        residual(x)
        residual.set_weights(plain.get_weights())
        first_layer, _ = plain.directions[0][0](x)
        np.testing.assert_allclose(residual(x)[0], plain(x)[0] + first_layer, atol=1e-5)

    def test_weight_drop_shares_one_mask_per_batch_and_keeps_kernel(self):
        layer = RecurrentLayer("simple_rnn", units=64, weight_dropout=0.5, seed=3)
        x = inputs(batch=2, time=3, features=2)
        layer(x)
        kernel_before = np.array(layer.recurrent_kernel)
        train_a, _ = layer(x, training=True)
        np.testing.assert_array_equal(layer.recurrent_kernel, kernel_before)
        inference, _ = layer(x)
        assert not np.allclose(train_a, inference)
        # Identical rows of a batch see the same dropped kernel, so their outputs stay identical.
        same = np.repeat(x[:1], 2, axis=0)
        out, _ = layer(same, training=True)
        np.testing.assert_allclose(out[0], out[1], atol=1e-6)

    def test_recurrent_dropout_draws_one_state_mask_per_sequence(self):
        layer = RecurrentLayer("gru", units=32, recurrent_dropout=0.5, seed=4)
        plain = RecurrentLayer("gru", units=32)
        x = np.repeat(inputs(batch=1, time=6, features=3), 2, axis=0)
        layer(x)
        plain(x)
        plain.set_weights(layer.get_weights())
        np.testing.assert_allclose(layer(x)[0], plain(x)[0], atol=1e-6)  # inference: no dropout
        dropped, _ = layer(x, training=True)
        assert not np.allclose(dropped, plain(x)[0])
        # The first step reads the zero initial state, so the mask cannot change it; later steps differ
        # between two identical rows because each sequence draws its own mask.
        np.testing.assert_allclose(dropped[0, 0], dropped[1, 0], atol=1e-6)
        assert not np.allclose(dropped[0, 1:], dropped[1, 1:])

    def test_stack_round_trips_through_keras_saving(self, tmp_path):
        x = inputs()
        stack_input = keras.Input((7, 5))
        stack = RecurrentStack("lstm", hidden_dim=[6, 4], num_layers=2, bidirectional=True, residual=False,
                               dropout=0.2, weight_dropout=0.3, recurrent_dropout=0.1, return_sequences=False)
        model = keras.Model(stack_input, stack(stack_input)[0])
        path = str(tmp_path / "stack.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
        np.testing.assert_allclose(restored(x), model(x), atol=1e-6)
        assert restored.layers[1].get_config() == stack.get_config()

    def test_bad_arguments_raise_clear_errors(self):
        with pytest.raises(ValueError, match="cell_type"):
            RecurrentStack("transformer")
        with pytest.raises(ValueError, match="one size per layer"):
            RecurrentStack("lstm", hidden_dim=[4, 4], num_layers=3)
        with pytest.raises(ValueError, match="weight_dropout"):
            RecurrentStack("lstm", weight_dropout=1.5)
        stack = RecurrentStack("lstm", hidden_dim=4, num_layers=2)
        with pytest.raises(ValueError, match="4 state tensors"):
            stack(inputs(), initial_state=[np.zeros((3, 4), "float32")])
