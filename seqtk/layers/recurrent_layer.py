"""One direction of one recurrent layer: LSTM, GRU or SimpleRNN with weight-drop."""

import keras
from keras import ops

# Keras has no public step loop with masks and go_backwards: keras.layers.RNN runs this one too.
from keras.src import backend as keras_backend

from seqtk.layers.recurrence import recurrence
from seqtk.layers.sequence_matmul import sequence_matmul

CELL_TYPES = ("lstm", "gru", "simple_rnn")
_GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


@keras.saving.register_keras_serializable(package="seqtk")
class RecurrentLayer(keras.layers.Layer):
    """A single-direction recurrent layer with Keras-compatible weights.

    The weights have the names, shapes and gate order of `keras.layers.LSTM`,
    `keras.layers.GRU` (`reset_after=True`) and `keras.layers.SimpleRNN`, so
    weights move between them with `set_weights`. The input projection of all
    time steps is one matrix product before the loop; only the recurrent
    product runs per step, which is what makes it faster than the Keras cell.
    In training the gradient is a whole-sequence one (`seqtk.layers.recurrence`):
    the backward loop computes only gate and state gradients and the kernel's
    gradient is one product after it; outside training the loop is Keras'.

    Args:
        cell_type: `"lstm"`, `"gru"` or `"simple_rnn"`.
        units: size of the hidden state.
        go_backwards: process the sequence in reverse; outputs are returned
            in the original time order.
        weight_dropout: DropConnect rate on the recurrent kernel (AWD-LSTM's
            weight-drop): one mask per batch, shared by every time step.
        recurrent_dropout: variational dropout on the hidden state fed back
            into the recurrence: one mask per sequence, shared across time.
        seed: seed of the dropout masks.

    Call arguments:
        inputs: `(batch, time, features)`.
        initial_state: list of `(batch, units)` tensors (`[h, c]` for LSTM,
            `[h]` otherwise); zeros when `None`.
        mask: optional `(batch, time)` boolean mask; masked steps keep the
            state and output zeros.
        training: whether dropout is active.

    Returns:
        `(sequence, final_states)`: `(batch, time, units)` and a list.

    Example:
    >>> layer = RecurrentLayer("lstm", units=8)
    >>> outputs, (h, c) = layer(np.zeros((2, 5, 3), "float32"))
    """

    def __init__(
        self,
        cell_type="lstm",
        units=128,
        go_backwards=False,
        weight_dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if cell_type not in CELL_TYPES:
            raise ValueError(
                f"cell_type must be one of {CELL_TYPES}; received cell_type={cell_type!r}."
            )
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer; received units={units!r}.")
        for name, rate in (("weight_dropout", weight_dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{name} must be in [0, 1); received {name}={rate!r}.")
        self.cell_type = cell_type
        self.units = units
        self.go_backwards = go_backwards
        self.weight_dropout = weight_dropout
        self.recurrent_dropout = recurrent_dropout
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    # False: automatic differentiation of the Keras loop instead (the reference of the gradient tests).
    whole_sequence_gradient = True

    @property
    def num_states(self):
        return 2 if self.cell_type == "lstm" else 1

    def build(self, input_shape):
        gates = _GATES[self.cell_type] * self.units
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], gates), initializer="glorot_uniform"
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, gates), initializer="orthogonal"
        )
        if self.cell_type == "lstm":
            # Forget-gate bias of one (Jozefowicz et al. 2015), as Keras' unit_forget_bias.
            def bias_initializer(shape, dtype=None):
                zeros = ops.zeros((self.units,), dtype=dtype)
                return ops.concatenate([zeros, ops.ones((self.units,), dtype=dtype), zeros, zeros])

            self.bias = self.add_weight(name="bias", shape=(gates,), initializer=bias_initializer)
        elif self.cell_type == "gru":
            self.bias = self.add_weight(name="bias", shape=(2, gates), initializer="zeros")
        else:
            self.bias = self.add_weight(name="bias", shape=(gates,), initializer="zeros")

    def get_initial_state(self, batch_size):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(self.num_states)]

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if initial_state is None:
            initial_state = self.get_initial_state(ops.shape(inputs)[0])
        initial_state = list(initial_state)
        if len(initial_state) != self.num_states:
            raise ValueError(
                f"A {self.cell_type} layer takes {self.num_states} state tensor(s); "
                f"received {len(initial_state)}."
            )
        input_bias = self.bias[0] if self.cell_type == "gru" else self.bias
        recurrent_kernel = self.recurrent_kernel
        if training and self.weight_dropout > 0:
            recurrent_kernel = keras.random.dropout(
                recurrent_kernel, self.weight_dropout, seed=self.seed_generator
            )
        state_mask = None
        if training and self.recurrent_dropout > 0:
            state_mask = keras.random.dropout(
                ops.ones_like(initial_state[0]), self.recurrent_dropout, seed=self.seed_generator
            )
        if training and self.whole_sequence_gradient and not (inputs.shape[1] == 1 and mask is None):
            return self._train_sequence(inputs, input_bias, recurrent_kernel, initial_state, mask, state_mask)
        projected = sequence_matmul(inputs, self.kernel) + input_bias
        step = self.step_function(recurrent_kernel, state_mask)

        if inputs.shape[1] == 1 and mask is None:
            # A single step (generation) skips the loop machinery entirely.
            output, states = step(projected[:, 0], initial_state)
            return output[:, None, :], states
        _, outputs, states = keras_backend.rnn(
            step,
            projected,
            initial_state,
            go_backwards=self.go_backwards,
            mask=mask,
            zero_output_for_mask=mask is not None,
        )
        if self.go_backwards:
            outputs = ops.flip(outputs, axis=1)
        return outputs, list(states)

    def _train_sequence(self, inputs, input_bias, recurrent_kernel, initial_state, mask, state_mask):
        # Time-major: each step reads one contiguous (batch, gates) block. Transposing the inputs rather than
        # the projection moves `features` rather than `gates * units` numbers.
        xs = sequence_matmul(ops.transpose(inputs, (1, 0, 2)), self.kernel) + input_bias
        step_mask = None if mask is None else ops.transpose(mask)
        if self.go_backwards:
            xs = ops.flip(xs, axis=0)
            step_mask = None if step_mask is None else ops.flip(step_mask, axis=0)
        outputs, states = recurrence(
            self.cell_type,
            xs,
            recurrent_kernel,
            initial_state,
            recurrent_bias=self.bias[1] if self.cell_type == "gru" else None,
            mask=step_mask,
            state_mask=state_mask,
        )
        if self.go_backwards:
            outputs = ops.flip(outputs, axis=0)
        return ops.transpose(outputs, (1, 0, 2)), states

    def step_function(self, recurrent_kernel, state_mask, matmul=ops.matmul):
        """`step(projected_input, states) -> (output, states)`; `matmul(h, recurrent_kernel)` is the recurrent
        product (generation passes one that runs it in bfloat16)."""
        units = self.units

        def lstm_step(x, states):
            h, c = states
            if state_mask is not None:
                h = h * state_mask
            z = x + matmul(h, recurrent_kernel)
            i = ops.sigmoid(z[:, :units])
            f = ops.sigmoid(z[:, units : 2 * units])
            g = ops.tanh(z[:, 2 * units : 3 * units])
            o = ops.sigmoid(z[:, 3 * units :])
            c = f * c + i * g
            h = o * ops.tanh(c)
            return h, [h, c]

        def gru_step(x, states):
            (h,) = states
            h_in = h * state_mask if state_mask is not None else h
            r_all = matmul(h_in, recurrent_kernel) + self.bias[1]
            z = ops.sigmoid(x[:, :units] + r_all[:, :units])
            r = ops.sigmoid(x[:, units : 2 * units] + r_all[:, units : 2 * units])
            candidate = ops.tanh(x[:, 2 * units :] + r * r_all[:, 2 * units :])
            h = z * h + (1.0 - z) * candidate
            return h, [h]

        def simple_rnn_step(x, states):
            (h,) = states
            if state_mask is not None:
                h = h * state_mask
            h = ops.tanh(x + matmul(h, recurrent_kernel))
            return h, [h]

        return {"lstm": lstm_step, "gru": gru_step, "simple_rnn": simple_rnn_step}[self.cell_type]

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell_type": self.cell_type,
                "units": self.units,
                "go_backwards": self.go_backwards,
                "weight_dropout": self.weight_dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed,
            }
        )
        return config
