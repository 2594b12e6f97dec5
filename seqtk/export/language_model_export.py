"""The streaming `step` and `prefill` signatures of a trained language model, and its exporter."""

import math

import numpy as np
import tensorflow as tf

from seqtk.export.export_signature import Signature
from seqtk.export.exporter import Exporter, register_exporter
from seqtk.export.recurrent_graph import TRACE_LENGTH, RecurrentGraph
from seqtk.export.state_signatures import SignaturePlan
from seqtk.models.language_model import LanguageModel


class LanguageModelExport:
    """Signatures for on-device generation from a `LanguageModel`, every state explicit.

    - `step(token, states...) -> logits, states...`: one token in, next-token logits out.
    - `prefill(tokens, states...) -> logits, states...`: a whole prompt `(1, time)` at once; the
      logits are for the token after the last one. A new stream starts from the model's recorded
      start states (`start_states`, written to metadata.json), or zero states for a model without them.

    Example:
    >>> export = LanguageModelExport(model)
    >>> [s.key for s in export.signatures()]
    ['step', 'prefill']
    """


    def __init__(self, model, fixed_length=None, lstm_step="fused", step_only=False):
        if fixed_length and model.cell_type == "lstm":
            raise ValueError(
                "fixed_length unrolls GRU and SimpleRNN layers; an LSTM exports as the fused op, "
                "which reads prompts at their own length."
            )
        self.model = model
        self.fixed_length = fixed_length
        self.lstm_step = lstm_step
        self.step_only = step_only
        self.graph = RecurrentGraph(model.recurrent, lstm_step=lstm_step)
        embedding = model.embedding
        self.embeddings = tf.constant(np.asarray(embedding.embeddings, np.float32))
        self.output_kernel = (
            None if embedding.tie_weights else tf.constant(np.asarray(embedding.output_kernel, np.float32))
        )
        self.output_bias = (
            tf.constant(np.asarray(embedding.output_bias, np.float32)) if embedding.use_output_bias else None
        )

    @property
    def state_names(self):
        return self.graph.state_names

    def start_states(self):
        """`{state name: vector}` a stream starts from: the model's recorded start state, or zeros."""
        vectors = self.model.start_states(1)
        return {name: np.asarray(vector, np.float32)[0]
                for name, vector in zip(self.state_names, vectors, strict=True)}

    def _logits(self, hidden):
        if self.output_kernel is None:
            # (vocabulary, dim) is FULLY_CONNECTED's own weight layout: the embedding serves both ends.
            logits = tf.matmul(hidden, self.embeddings, transpose_b=True)
        else:
            logits = tf.matmul(hidden, self.output_kernel)
        return logits if self.output_bias is None else logits + self.output_bias

    def _run(self, token_ids, states, padded=False):
        vectors = tf.gather(self.embeddings, token_ids)
        mask = tf.not_equal(token_ids, 0) if padded else None
        outputs, final_states, _ = self.graph(vectors, list(states), mask=mask)
        if padded:
            # The prompt's last real token is where its next-token logits come from.
            last = tf.reduce_sum(tf.cast(mask, tf.int32)) - 1
            hidden = tf.gather(outputs, last, axis=1)
        else:
            hidden = outputs[:, -1]
        result = {"logits": self._logits(hidden)}
        for name, state in zip(self.state_names, final_states, strict=True):
            if state is not None:
                result[name] = state
        return result

    def signatures(self):
        states = self.graph.state_specs()
        fused = self.graph.fused
        state_names = self.state_names
        length = self.fixed_length or (TRACE_LENGTH if fused else None)
        padded = bool(self.fixed_length)
        step = Signature(
            "step",
            lambda token, *s: self._run(token[:, None], s),
            [tf.TensorSpec([1], tf.int32, name="token")] + states,
            SignaturePlan(outputs=state_names),
        )
        if self.step_only:
            return [step]
        return [
            step,
            Signature(
                "prefill",
                lambda tokens, *s: self._run(tokens, s, padded),
                [tf.TensorSpec([1, length], tf.int32, name="tokens")] + states,
                SignaturePlan(outputs=state_names, dynamic={"tokens": [1]} if fused else {}),
            ),
        ]

    def sample_inputs(self, tokenizer, examples, count=16, steps=8, seed=0):
        """Real `(key, inputs)` pairs: prompts from the examples' text, and steps from the states they leave.

        States come from the Keras model, so `step` is checked (and int8 calibrated) on states it will
        meet in use, not only on zeros.
        """
        ids = np.asarray(tokenizer.encode("\n".join(examples.texts)[:200_000]), np.int32)
        if self.model.reverse:
            ids = ids[::-1].copy()
        if len(ids) < TRACE_LENGTH + steps + 1:
            raise ValueError(
                f"{examples.source}: {len(ids)} tokens of text; give at least "
                f"{TRACE_LENGTH + steps + 1} to check the export on."
            )
        rng = np.random.default_rng(seed)
        zeros = {
            name: np.zeros((1, dim), np.float32)
            for name, dim in zip(self.state_names, self.graph.state_dims, strict=True)
        }
        for _ in range(count):
            length = TRACE_LENGTH if self.graph.fused else int(rng.integers(2, 3 * TRACE_LENGTH))
            length = min(length, self.fixed_length or length, len(ids) - steps - 1)
            start = int(rng.integers(0, len(ids) - length - steps))
            tokens = ids[None, start : start + length]
            if self.fixed_length:
                tokens = np.pad(tokens, ((0, 0), (0, self.fixed_length - length)))
            prompt = {"tokens": tokens, **zeros}
            yield "prefill", prompt
            states = {
                name: value
                for name, value in self.keras_reference("prefill", prompt).items()
                if name in zeros
            }
            for t in range(steps):
                inputs = {"token": ids[start + length + t : start + length + t + 1], **states}
                yield "step", inputs
                states = {
                    name: value
                    for name, value in self.keras_reference("step", inputs).items()
                    if name in zeros
                }

    def keras_reference(self, key, inputs):
        """The Keras model's outputs for the same inputs, named as the signature's."""
        ids = (
            inputs["token"][:, None]
            if key == "step"
            else inputs["tokens"][:, : np.count_nonzero(inputs["tokens"])]
        )
        states = [tf.constant(inputs[name]) for name in self.state_names]
        logits, final_states = self.model(tf.constant(ids), states=states, return_state=True, training=False)
        reference = {"logits": np.asarray(logits)[:, -1]}
        reference.update(
            {name: np.asarray(s) for name, s in zip(self.state_names, final_states, strict=True)}
        )
        return reference


# Prompts are fed in chunks of this many tokens when a GRU language model's prefill is unrolled.
UNROLLED_PREFILL_LENGTH = 32


@register_exporter("lm")
class LanguageModelExporter(Exporter):
    """A language model's export: `prefill` and `step`, states explicit; quantized files scored by perplexity."""

    model_class = LanguageModel

    sequence_key = "prefill"
    step_key = "step"
    sample_count = 32

    def graph(self, model, fixed_length=None, lstm_step="fused"):
        return LanguageModelExport(model, fixed_length, lstm_step)

    def web_graph(self, model, config):
        # One step per token, its LSTM gates as FULLY_CONNECTED: no fused op, no variable tensors, fixed
        # shapes. The page feeds a prompt step by step.
        return LanguageModelExport(model, lstm_step="cell", step_only=True)

    def unrolled_length(self, config):
        return UNROLLED_PREFILL_LENGTH

    def sample_inputs(self, graph, tokenizer, examples, config):
        return list(graph.sample_inputs(tokenizer, examples, self.sample_count))

    def metadata(self, graph, tokenizer, config):
        reverse = bool(graph.model.reverse)
        recorded = graph.model.start_state
        return {
            "special_ids": {"pad": 0, "newline": int(tokenizer.newline_id)},
            "reverse": reverse,
            # The state the model reaches at a line break of its training text: generation starts from it.
            "start_states": ({name: [float(x) for x in vector] for name, vector in graph.start_states().items()}
                             if recorded else None),
            "usage": (
                ("Start from start_states (shape (1, size) each); " if recorded else "Start from zero states; ")
                + "prefill(tokens, states) on the prompt, then step(token, "
                "states) once per generated token, passing back the states each call returns."
                + (" This backward model reads right to left: feed tokens last first; it writes what "
                   "comes before them." if reverse else "")
            ),
        }

    def task_metric(self, quantized, reference, examples, token_limit=1500):
        ids = reference.tokenizer.encode("\n".join(examples.texts)[:50_000])[:token_limit]
        if reference.metadata.get("reverse"):
            ids = ids[::-1]
        float_ppl = math.exp(-reference.log_likelihood(ids) / (len(ids) - 1))
        quantized_ppl = math.exp(-quantized.log_likelihood(ids) / (len(ids) - 1))
        return {
            "tokens": len(ids) - 1,
            "float_perplexity": float_ppl,
            "quantized_perplexity": quantized_ppl,
            "perplexity_ratio": quantized_ppl / float_ppl,
        }
