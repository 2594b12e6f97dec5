"""A stack of recurrent layers: uni- or bidirectional, residual, with RNN regularizers."""

import keras
from keras import ops

from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_layer import CELL_TYPES, RecurrentLayer

MERGE_MODES = ("concat", "sum")


@keras.saving.register_keras_serializable(package="seqtk")
class RecurrentStack(keras.layers.Layer):
    """`num_layers` recurrent layers with the wiring and regularizers of modern RNN models.

    Args:
        cell_type: `"lstm"`, `"gru"` or `"simple_rnn"`.
        hidden_dim: hidden size of every layer, or a list with one size per
            layer (AWD-LSTM's last layer matches the embedding size).
        num_layers: number of stacked layers.
        bidirectional: run a backward layer beside each forward one.
        merge_mode: how the two directions combine, `"concat"` or `"sum"`.
        residual: add each layer's input to its output (from the second
            layer on, where sizes agree).
        dropout: locked dropout between layers (one mask per sequence).
        weight_dropout: DropConnect on every recurrent kernel.
        recurrent_dropout: variational dropout on the recurrent state.
        return_sequences: return every step's output, or only the last.
        seed: seed of all dropout masks.

    Call arguments:
        inputs: `(batch, time, features)`.
        initial_state: flat list of state tensors, layer by layer, forward
            before backward, `[h, c]` per LSTM direction; zeros when `None`.
        mask: optional `(batch, time)` boolean mask (padding).
        training: whether dropout is active.

    Returns:
        `(outputs, final_states)`; `final_states` has the layout of
        `initial_state`, and a masked sequence's state is taken at its last
        real step.

    Example:
    >>> stack = RecurrentStack("lstm", hidden_dim=64, num_layers=2, dropout=0.2)
    >>> outputs, states = stack(np.zeros((8, 35, 32), "float32"))
    >>> len(states)   # [h1, c1, h2, c2]
    4
    """

    def __init__(
        self,
        cell_type="lstm",
        hidden_dim=128,
        num_layers=1,
        bidirectional=False,
        merge_mode="concat",
        residual=False,
        dropout=0.0,
        weight_dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if cell_type not in CELL_TYPES:
            raise ValueError(f"cell_type must be one of {CELL_TYPES}; received cell_type={cell_type!r}.")
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive integer; received num_layers={num_layers!r}.")
        hidden_dims = list(hidden_dim) if isinstance(hidden_dim, (list, tuple)) else [hidden_dim] * num_layers
        if len(hidden_dims) != num_layers:
            raise ValueError(
                f"hidden_dim lists one size per layer: received {len(hidden_dims)} sizes for "
                f"num_layers={num_layers}."
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {MERGE_MODES}; received merge_mode={merge_mode!r}.")
        self.cell_type = cell_type
        self.hidden_dim = hidden_dim if isinstance(hidden_dim, int) else list(hidden_dim)
        self.hidden_dims = hidden_dims
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.merge_mode = merge_mode
        self.residual = residual
        self.dropout = dropout
        self.weight_dropout = weight_dropout
        self.recurrent_dropout = recurrent_dropout
        self.return_sequences = return_sequences
        self.seed = seed
        self.supports_masking = True

        self.directions = []
        for index, units in enumerate(hidden_dims):
            layer_seed = None if seed is None else seed + 2 * index
            pair = [
                RecurrentLayer(
                    cell_type, units, weight_dropout=weight_dropout, recurrent_dropout=recurrent_dropout,
                    seed=layer_seed, name=f"layer_{index}_forward",
                )
            ]
            if bidirectional:
                pair.append(
                    RecurrentLayer(
                        cell_type, units, go_backwards=True, weight_dropout=weight_dropout,
                        recurrent_dropout=recurrent_dropout,
                        seed=None if layer_seed is None else layer_seed + 1, name=f"layer_{index}_backward",
                    )
                )
            self.directions.append(pair)
        self.between_dropout = [
            LockedDropout(dropout, seed=None if seed is None else seed + 1000 + i, name=f"dropout_{i}")
            for i in range(num_layers - 1)
        ]

    @property
    def num_states(self):
        """Number of state tensors that `initial_state` takes and the call returns."""
        per_direction = 2 if self.cell_type == "lstm" else 1
        return per_direction * self.num_layers * (2 if self.bidirectional else 1)

    @property
    def state_dims(self):
        """The size of each state tensor, in the order of `initial_state`."""
        per_direction = 2 if self.cell_type == "lstm" else 1
        dims = []
        for units in self.hidden_dims:
            dims.extend([units] * per_direction * (2 if self.bidirectional else 1))
        return dims

    @property
    def output_dim(self):
        return self._layer_output_dim(self.num_layers - 1)

    def _layer_output_dim(self, index):
        units = self.hidden_dims[index]
        return 2 * units if self.bidirectional and self.merge_mode == "concat" else units

    def get_initial_state(self, batch_size):
        return [ops.zeros((batch_size, dim), dtype=self.compute_dtype) for dim in self.state_dims]

    def build(self, input_shape):
        features = input_shape[-1]
        for index, pair in enumerate(self.directions):
            for layer in pair:
                layer.build((input_shape[0], input_shape[1], features))
            features = self._layer_output_dim(index)
        for layer in self.between_dropout:
            layer.build(None)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if initial_state is not None and len(initial_state) != self.num_states:
            raise ValueError(
                f"This stack takes {self.num_states} state tensors (sizes {self.state_dims}); "
                f"received {len(initial_state)}."
            )
        per_direction = 2 if self.cell_type == "lstm" else 1
        final_states = []
        outputs = inputs
        position = 0
        for index, pair in enumerate(self.directions):
            layer_inputs = outputs
            if index > 0:
                layer_inputs = self.between_dropout[index - 1](layer_inputs, training=training)
            results = []
            for layer in pair:
                state = None
                if initial_state is not None:
                    state = list(initial_state[position : position + per_direction])
                position += per_direction
                sequence, states = layer(layer_inputs, initial_state=state, mask=mask, training=training)
                results.append(sequence)
                final_states.extend(states)
            if len(results) == 1:
                layer_outputs = results[0]
            elif self.merge_mode == "concat":
                layer_outputs = ops.concatenate(results, axis=-1)
            else:
                layer_outputs = results[0] + results[1]
            if self.residual and index > 0 and layer_outputs.shape[-1] == outputs.shape[-1]:
                layer_outputs = layer_outputs + layer_inputs
            outputs = layer_outputs
        if not self.return_sequences:
            outputs = self.last_output(final_states)
        return outputs, final_states

    def last_output(self, final_states):
        """The top layer's output after the last real step, from the final states the call returned."""
        # A direction's final h is its output after the last real step, so it
        # is right under padding, and for the backward pass it covers the whole sequence.
        per_direction = 2 if self.cell_type == "lstm" else 1
        if not self.bidirectional:
            return final_states[-per_direction]
        forward = final_states[-2 * per_direction]
        backward = final_states[-per_direction]
        if self.merge_mode == "concat":
            return ops.concatenate([forward, backward], axis=-1)
        return forward + backward

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell_type": self.cell_type,
                "hidden_dim": self.hidden_dim,
                "num_layers": self.num_layers,
                "bidirectional": self.bidirectional,
                "merge_mode": self.merge_mode,
                "residual": self.residual,
                "dropout": self.dropout,
                "weight_dropout": self.weight_dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "return_sequences": self.return_sequences,
                "seed": self.seed,
            }
        )
        return config
