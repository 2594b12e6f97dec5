"""The streaming `step` and `prefill` signatures of a trained language model."""

import numpy as np
import tensorflow as tf

from seqtk.export.export_signature import Signature
from seqtk.export.recurrent_graph import TRACE_LENGTH, RecurrentGraph
from seqtk.export.state_signatures import SignaturePlan


class LanguageModelExport:
    """Signatures for on-device generation from a `LanguageModel`, every state explicit.

    - `step(token, states...) -> logits, states...`: one token in, next-token logits out.
    - `prefill(tokens, states...) -> logits, states...`: a whole prompt `(1, time)` at once; the
      logits are for the token after the last one. Zero states start a new stream.

    Example:
    >>> export = LanguageModelExport(model)
    >>> [s.key for s in export.signatures()]
    ['step', 'prefill']
    """

    task = "language_model"

    def __init__(self, model):
        self.model = model
        self.graph = RecurrentGraph(model.recurrent)
        embedding = model.embedding
        self.embeddings = tf.constant(np.asarray(embedding.embeddings, np.float32))
        self.output_kernel = None if embedding.tie_weights else tf.constant(
            np.asarray(embedding.output_kernel, np.float32))
        self.output_bias = tf.constant(np.asarray(embedding.output_bias, np.float32)) \
            if embedding.use_output_bias else None

    @property
    def state_names(self):
        return self.graph.state_names

    def _logits(self, hidden):
        if self.output_kernel is None:
            # (vocabulary, dim) is FULLY_CONNECTED's own weight layout: the embedding serves both ends.
            logits = tf.matmul(hidden, self.embeddings, transpose_b=True)
        else:
            logits = tf.matmul(hidden, self.output_kernel)
        return logits if self.output_bias is None else logits + self.output_bias

    def _run(self, token_ids, states):
        vectors = tf.gather(self.embeddings, token_ids)
        outputs, final_states, _ = self.graph(vectors, list(states))
        result = {"logits": self._logits(outputs[:, -1])}
        for name, state in zip(self.state_names, final_states, strict=True):
            if state is not None:
                result[name] = state
        return result

    def signatures(self):
        states = self.graph.state_specs()
        fused = self.graph.fused
        state_names = self.state_names
        length = TRACE_LENGTH if fused else None
        return [
            Signature("step", lambda token, *s: self._run(token[:, None], s),
                      [tf.TensorSpec([1], tf.int32, name="token")] + states,
                      SignaturePlan(outputs=state_names)),
            Signature("prefill", lambda tokens, *s: self._run(tokens, s),
                      [tf.TensorSpec([1, length], tf.int32, name="tokens")] + states,
                      SignaturePlan(outputs=state_names, dynamic={"tokens": [1]} if fused else {})),
        ]

    def keras_reference(self, key, inputs):
        """The Keras model's outputs for the same inputs, named as the signature's."""
        ids = inputs["token"][:, None] if key == "step" else inputs["tokens"]
        states = [tf.constant(inputs[name]) for name in self.state_names]
        logits, final_states = self.model(tf.constant(ids), states=states, return_state=True, training=False)
        reference = {"logits": np.asarray(logits)[:, -1]}
        reference.update({name: np.asarray(s) for name, s in zip(self.state_names, final_states, strict=True)})
        return reference

