"""A trained recurrent stack rewritten as TensorFlow code that converts to builtin TFLite ops."""

import numpy as np
import tensorflow as tf

from seqtk.export.fused_lstm import fused_lstm_function

# The converter fuses an LSTM only at a static length: signatures are traced at this one, and their
# time axis is marked dynamic in the converted file.
TRACE_LENGTH = 8


class RecurrentGraph:
    """The inference pass of a trained `RecurrentStack` for one sequence (batch 1), built for TFLite.

    LSTM directions become the converter's fused `UNIDIRECTIONAL_SEQUENCE_LSTM` op; a backward direction
    is the same op on the reversed sequence. GRU and SimpleRNN have no fused builtin: with a static
    sequence length (one generation step, or a fixed-length export) their steps are unrolled, otherwise
    they run in a `WHILE` loop over a dynamic length.

    The fused op keeps its state in TFLite variable tensors that it updates in place, and the converter
    drops the op if the graph reads its final state. The final `h` is the op's last output, but the final
    `c` is nowhere in the graph: for an LSTM direction `__call__` returns `None` in its place, and
    `state_signatures.rewrite_signatures` publishes the cell state tensor, which holds the final `c` after
    each call, as an output.

    Args:
        stack: a built `seqtk.layers.RecurrentStack`.
        prefix: prepended to every state name (`"encoder_"`, `"decoder_"`).
        lstm_step: how an LSTM runs a single step (a static length of 1): `"fused"`, the fused op, or
            `"cell"`, its gates as FULLY_CONNECTED and element-wise ops, which XNNPACK runs and which keep
            the cell state in the graph. Longer sequences use the fused op, except with `"unrolled"`: every
            static length is unrolled into gate ops, with a mask for padded steps (the web target, whose
            runtime has no fused LSTM).

    Example:
    >>> graph = RecurrentGraph(model.recurrent)
    >>> graph.state_names           # ['h_0', 'c_0', 'h_1', 'c_1'] for a 2-layer LSTM
    >>> outputs, final_states = graph(vectors, states)    # inside a tf.function
    """

    def __init__(self, stack, prefix="", lstm_step="fused"):
        if lstm_step not in ("fused", "cell", "unrolled"):
            raise ValueError(f"lstm_step must be 'fused', 'cell' or 'unrolled'; received {lstm_step!r}.")
        self.stack = stack
        self.lstm_step = lstm_step
        self.cell_type = stack.cell_type
        self.prefix = prefix
        self.directions = []
        for index, pair in enumerate(stack.directions):
            layer_directions = []
            for layer in pair:
                kernel, recurrent_kernel, bias = (
                    np.asarray(w, dtype=np.float32) for w in layer.get_weights()
                )
                layer_directions.append(
                    {
                        "layer": index,
                        "backward": layer.go_backwards,
                        "units": layer.units,
                        "kernel": tf.constant(kernel),
                        "recurrent_kernel": tf.constant(recurrent_kernel),
                        "bias": tf.constant(bias),
                    }
                )
            self.directions.append(layer_directions)

    @property
    def per_direction(self):
        return 2 if self.cell_type == "lstm" else 1

    @property
    def state_names(self):
        """One name per state tensor, in the order of `RecurrentStack`'s `initial_state`."""
        kinds = ("h", "c") if self.cell_type == "lstm" else ("h",)
        names = []
        for layer_directions in self.directions:
            for direction in layer_directions:
                suffix = "_backward" if direction["backward"] else ""
                names.extend(f"{self.prefix}{kind}_{direction['layer']}{suffix}" for kind in kinds)
        return names

    @property
    def state_dims(self):
        return list(self.stack.state_dims)

    @property
    def fused(self):
        """Whether final states live in the fused op's state tensors rather than in the graph."""
        return self.cell_type == "lstm" and self.lstm_step != "unrolled"

    def state_specs(self):
        return [
            tf.TensorSpec([1, dim], tf.float32, name=name)
            for name, dim in zip(self.state_names, self.state_dims, strict=True)
        ]

    def __call__(self, inputs, states, mask=None):
        """Runs `(1, time, features)` inputs from `states`.

        Args:
            inputs: float32 `(1, time, features)`.
            states: list of `(1, units)` tensors named as `state_names`.
            mask: optional `(1, time)` boolean mask of real steps, for fixed-length exports whose
                tail is padding (GRU and SimpleRNN only; the fused LSTM reads whole sequences).

        Returns:
            `(outputs, final_states, last_outputs)`: the top layer's `(1, time, features)` outputs,
            the final states (`None` for fused LSTM cell states) and the top layer's output after its last
            real step for each direction (forward first).
        """
        if mask is not None and self.fused:
            raise ValueError("The fused LSTM reads whole sequences; export LSTM signatures without padding.")
        per_direction = self.per_direction
        outputs = inputs
        final_states, position = [], 0
        for index, layer_directions in enumerate(self.directions):
            layer_inputs = outputs
            results, last_outputs = [], []
            for direction in layer_directions:
                state = states[position : position + per_direction]
                position += per_direction
                sequence, final, last = self._direction(direction, layer_inputs, state, mask)
                results.append(sequence)
                final_states.extend(final)
                last_outputs.append(last)
            if len(results) == 1:
                layer_outputs = results[0]
            elif self.stack.merge_mode == "concat":
                layer_outputs = tf.concat(results, axis=-1)
            else:
                layer_outputs = results[0] + results[1]
            if self.stack.residual and index > 0 and layer_outputs.shape[-1] == outputs.shape[-1]:
                layer_outputs = layer_outputs + layer_inputs
            outputs = layer_outputs
        return outputs, final_states, last_outputs

    def _direction(self, direction, inputs, state, mask):
        backward = direction["backward"]
        if backward:
            inputs = tf.reverse(inputs, axis=[1])
            mask = None if mask is None else tf.reverse(mask, axis=[1])
        if self.cell_type == "lstm" and self.lstm_step == "unrolled":
            sequence, final = self._lstm_unrolled(direction, inputs, state[0], state[1], mask)
            last = final[0]  # masked steps keep the state, so the final h is the last real output
        elif self.cell_type == "lstm" and inputs.shape[1] == 1 and self.lstm_step == "cell":
            h, c = self._lstm_cell(direction, inputs[:, 0], state[0], state[1])
            sequence, final, last = h[:, None, :], [h, c], h
        elif self.cell_type == "lstm":
            function = fused_lstm_function()
            last, sequence, _, _, _ = function(
                inputs,
                state[0],
                state[1],
                direction["kernel"],
                direction["recurrent_kernel"],
                direction["bias"],
            )
            # h = o * tanh(c) lies in [-1, 1], so the clip changes nothing; it gives the op's output a single
            # consumer (RELU_N1_TO_1), which int8 calibration needs to record the output's range.
            sequence = tf.clip_by_value(sequence, -1.0, 1.0)
            last = sequence[:, -1]
            final = [last, None]  # h is the last output; c stays inside the op's state tensor
        else:
            sequence, final = self._loop(direction, inputs, state[0], mask)
            last = final[0]  # masked steps keep the state, so the final h is the last real output
        if backward:
            sequence = tf.reverse(sequence, axis=[1])
        return sequence, final, last

    def _loop(self, direction, inputs, h, mask):
        features = inputs.shape[-1]
        kernel, recurrent_kernel, bias = direction["kernel"], direction["recurrent_kernel"], direction["bias"]
        input_bias = bias[0] if self.cell_type == "gru" else bias
        # One matrix product for the input side of all steps; only the recurrent product runs per step.
        projected = tf.matmul(tf.reshape(inputs, [-1, features]), kernel) + input_bias
        projected = tf.reshape(projected, [1, -1, kernel.shape[-1]])
        cell = self._gru_step if self.cell_type == "gru" else self._simple_rnn_step

        steps = inputs.shape[1]
        if steps is not None:
            # One UNPACK for all steps rather than a STRIDED_SLICE (and its constants) per step.
            step_inputs = tf.unstack(projected, axis=1)
            step_masks = None if mask is None else tf.unstack(mask[:, :, None], axis=1)
            outputs = []
            for t in range(steps):
                new_h = cell(step_inputs[t], h, recurrent_kernel, bias, direction["units"])
                if mask is None:
                    h = new_h
                    outputs.append(h)
                else:
                    real = step_masks[t]
                    h = tf.where(real, new_h, h)
                    outputs.append(tf.where(real, new_h, tf.zeros_like(new_h)))
            return tf.stack(outputs, axis=1), [h]

        length = tf.shape(inputs)[1]
        array = tf.TensorArray(tf.float32, size=length)

        def body(t, h, array):
            h = cell(projected[:, t], h, recurrent_kernel, bias, direction["units"])
            return t + 1, h, array.write(t, h)

        _, h, array = tf.while_loop(lambda t, *_: t < length, body, (0, h, array))
        return tf.transpose(array.stack(), [1, 0, 2]), [h]

    @staticmethod
    def _lstm_unrolled(direction, inputs, h, c, mask):
        steps = inputs.shape[1]
        if steps is None:
            raise ValueError("An unrolled LSTM needs a static sequence length (a fixed-length export).")
        kernel = direction["kernel"]
        # One product for the input side of all steps; only the recurrent product runs per step.
        projected = tf.matmul(tf.reshape(inputs, [-1, inputs.shape[-1]]), kernel) + direction["bias"]
        step_inputs = tf.unstack(tf.reshape(projected, [1, steps, kernel.shape[-1]]), axis=1)
        step_masks = None if mask is None else tf.unstack(mask[:, :, None], axis=1)
        outputs = []
        for t in range(steps):
            z = step_inputs[t] + tf.matmul(h, direction["recurrent_kernel"])
            i, f, g, o = tf.split(z, 4, axis=-1)
            new_c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            new_h = tf.sigmoid(o) * tf.tanh(new_c)
            if step_masks is None:
                h, c = new_h, new_c
                outputs.append(h)
            else:
                real = step_masks[t]
                h, c = tf.where(real, new_h, h), tf.where(real, new_c, c)
                outputs.append(tf.where(real, new_h, tf.zeros_like(new_h)))
        return tf.stack(outputs, axis=1), [h, c]

    @staticmethod
    def _lstm_cell(direction, x, h, c):
        # One product of [x, h] with the stacked kernels: a single FULLY_CONNECTED for all four gates.
        kernel = tf.concat([direction["kernel"], direction["recurrent_kernel"]], axis=0)
        z = tf.matmul(tf.concat([x, h], axis=-1), kernel) + direction["bias"]
        i, f, g, o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        return tf.sigmoid(o) * tf.tanh(c), c

    @staticmethod
    def _gru_step(x, h, recurrent_kernel, bias, units):
        # Keras' GRU with reset_after=True: the reset gate scales the recurrent candidate after its product.
        # Written for few operators (an unrolled encoder repeats them at every step): both gates in one
        # ADD and LOGISTIC, SPLIT_V rather than slices, and z*h + (1-z)*c as c + z*(h-c).
        recurrent = tf.matmul(h, recurrent_kernel) + bias[1]
        x_gates, x_candidate = tf.split(x, [2 * units, units], axis=-1)
        recurrent_gates, recurrent_candidate = tf.split(recurrent, [2 * units, units], axis=-1)
        z, r = tf.split(tf.sigmoid(x_gates + recurrent_gates), 2, axis=-1)
        candidate = tf.tanh(x_candidate + r * recurrent_candidate)
        return candidate + z * (h - candidate)

    @staticmethod
    def _simple_rnn_step(x, h, recurrent_kernel, bias, units):
        return tf.tanh(x + tf.matmul(h, recurrent_kernel))
