"""One generation step of a language model, read from its weights: the first layer's input product looked up
in a table, the other products in float32 or bfloat16."""

import tensorflow as tf

from seqtk.generation.generation_precision import check_precision

# The table holds vocabulary x gates float32 numbers: 0.5 MB for characters, 104 MB for 10k words at 650 LSTM
# units. Above this the step multiplies the embedding instead.
TABLE_BYTES = 256 * 2**20


class LanguageModelStep:
    """`step(tokens, states) -> (logits, states)`: what `model(tokens[:, None], states=states,
    return_state=True, training=False)` gives (logits without the time axis), cheaper per token.

    A token's first-layer input is `embedding[token] · kernel + bias`; there are only `vocabulary` of them, so
    they are computed once, in float32, into a table, and a step looks its row up instead of multiplying
    (exact up to float round-off). With `precision="bfloat16"` every other product (the recurrent ones, those
    between layers and the output projection) runs on bfloat16 copies of the weights and of the states fed
    to it, into float32: the states, gates and logits stay float32. CPUs with AVX512-BF16 or AMX run those
    products in hardware; elsewhere they are emulated and slower.

    The step reads the model's weights when it is made: make a new one after training the model further.

    Args:
        model: a `seqtk.models.LanguageModel`.
        precision: `"float32"` or `"bfloat16"`.
        table_bytes: the largest input table made; a bigger vocabulary multiplies its embedding per step.

    Example:
    >>> step = LanguageModelStep(model, precision="bfloat16")
    >>> logits, states = step(tf.constant([5, 7]), model.get_initial_state(2))
    """

    def __init__(self, model, precision="float32", table_bytes=TABLE_BYTES):
        check_precision(precision)
        stack = model.recurrent
        if stack.bidirectional:
            raise ValueError("A generation step runs left to right: this model's recurrent stack is bidirectional.")
        self.precision = precision
        self.product_dtype = tf.dtypes.as_dtype(precision)
        self.layers = [pair[0] for pair in stack.directions]
        self.residual = stack.residual
        self.per_layer = 2 if stack.cell_type == "lstm" else 1
        first = self.layers[0]
        embeddings = tf.convert_to_tensor(model.embedding.embeddings, tf.float32)
        input_bias = [self._input_bias(layer) for layer in self.layers]
        # The first layer's kernel is read once: into the table, or as the product's weights without one.
        if embeddings.shape[0] * first.kernel.shape[1] * 4 <= table_bytes:
            self.table = tf.matmul(embeddings, tf.convert_to_tensor(first.kernel, tf.float32)) + input_bias[0]
            self.embeddings, first_kernel = None, None
        else:
            self.table, self.embeddings, first_kernel = None, embeddings, self._weights(first.kernel)
        self.input_kernels = [first_kernel] + [self._weights(layer.kernel) for layer in self.layers[1:]]
        self.input_bias = input_bias
        self.recurrent_steps = [layer.step_function(self._weights(layer.recurrent_kernel), None, self._product)
                                for layer in self.layers]
        embedding = model.embedding
        output_kernel = tf.transpose(embedding.embeddings) if embedding.tie_weights else embedding.output_kernel
        self.output_kernel = self._weights(output_kernel)
        self.output_bias = (tf.convert_to_tensor(embedding.output_bias, tf.float32) if embedding.use_output_bias
                            else None)

    @staticmethod
    def _input_bias(layer):
        bias = layer.bias[0] if layer.cell_type == "gru" else layer.bias
        return tf.convert_to_tensor(bias, tf.float32)

    def _weights(self, weights):
        return tf.cast(tf.convert_to_tensor(weights, tf.float32), self.product_dtype)

    def _product(self, inputs, weights):
        # oneDNN accumulates a bfloat16 product in float32; its bfloat16 result is widened back here.
        return tf.cast(tf.matmul(tf.cast(inputs, weights.dtype), weights), tf.float32)

    def __call__(self, tokens, states):
        states = list(states)
        state_dtype = states[0].dtype
        if self.table is not None:
            projected = tf.gather(self.table, tokens)
        else:
            projected = self._product(tf.gather(self.embeddings, tokens), self.input_kernels[0]) + self.input_bias[0]
        new_states = []
        outputs = None
        for index, step in enumerate(self.recurrent_steps):
            if index > 0:
                projected = self._product(outputs, self.input_kernels[index]) + self.input_bias[index]
            layer_states = [tf.cast(state, tf.float32)
                            for state in states[index * self.per_layer : (index + 1) * self.per_layer]]
            layer_outputs, layer_states = step(projected, layer_states)
            if self.residual and index > 0 and layer_outputs.shape[-1] == outputs.shape[-1]:
                layer_outputs = layer_outputs + outputs
            outputs = layer_outputs
            new_states.extend(tf.cast(state, state_dtype) for state in layer_states)
        logits = self._product(outputs, self.output_kernel)
        if self.output_bias is not None:
            logits = logits + self.output_bias
        return logits, new_states
