"""The `encode` and `decode_step` signatures of a trained attention-free translator, and its exporter."""

import numpy as np
import tensorflow as tf

from seqtk.export.export_examples import read_translator_examples
from seqtk.export.export_signature import Signature
from seqtk.export.exporter import Exporter, register_exporter
from seqtk.export.frozen_dense import frozen_dense
from seqtk.export.recurrent_graph import TRACE_LENGTH, RecurrentGraph
from seqtk.export.state_signatures import SignaturePlan
from seqtk.models.seq2seq_translator import Seq2SeqTranslator


class TranslatorExport:
    """Signatures that let an app translate with greedy or beam search, every state explicit.

    - `encode(source_ids) -> states..., context`: the decoder's initial states (and, with context
      feeding, the encoder's summary vector `context`).
    - `decode_step(token, states..., context) -> logits, states...`: one target token in, the
      next-token logits out; start from the target side's start id.

    A bidirectional LSTM encoder adds `bridge(encoder states...) -> states...` between the two: the
    fused LSTM op keeps its final cell state to itself until the call ends, so the `tanh` bridge that
    merges the two directions runs as its own signature.

    Example:
    >>> export = TranslatorExport(model)
    >>> [s.key for s in export.signatures()]
    ['encode', 'decode_step']
    """


    def __init__(self, model, fixed_length=None, lstm_step="fused"):
        if fixed_length and model.cell_type == "lstm" and lstm_step != "unrolled":
            raise ValueError(
                "fixed_length unrolls GRU and SimpleRNN layers; an LSTM exports as the fused op, "
                "which reads sources at their own length."
            )
        self.model = model
        self.fixed_length = fixed_length
        self.lstm_step = lstm_step
        self.bridged = model.bidirectional
        encoder_step = "unrolled" if lstm_step == "unrolled" else "fused"
        self.encoder = RecurrentGraph(model.encoder, prefix="encoder_" if self.bridged else "", lstm_step=encoder_step)
        self.decoder = RecurrentGraph(model.decoder, lstm_step=lstm_step)
        self.source_embeddings = tf.constant(np.asarray(model.source_embedding.embeddings, np.float32))
        target = model.target_embedding
        self.target_embeddings = tf.constant(np.asarray(target.embeddings, np.float32))
        self.output_kernel = (
            None if target.tie_weights else tf.constant(np.asarray(target.output_kernel, np.float32))
        )
        self.output_bias = (
            tf.constant(np.asarray(target.output_bias, np.float32)) if target.use_output_bias else None
        )
        self.output_projection = (
            frozen_dense(model.output_projection) if model.output_projection is not None else None
        )
        self.bridge = [frozen_dense(layer) for layer in model.bridge]

    @property
    def separate_bridge(self):
        """Whether the bridge is its own signature (a bidirectional LSTM encoder)."""
        return self.bridged and self.encoder.fused

    @property
    def state_names(self):
        return self.decoder.state_names

    @property
    def context_dim(self):
        return self.model.context_dim if self.model.context_feeding else 0

    def _bridge(self, encoder_states, bridge=None):
        # Encoder states come layer by layer, forward then backward; each pair merges into one decoder state.
        bridge = bridge or self.bridge
        per_direction = self.encoder.per_direction
        states = []
        for layer in range(self.model.num_layers):
            start = layer * 2 * per_direction
            for k in range(per_direction):
                merged = tf.concat(
                    [encoder_states[start + k], encoder_states[start + per_direction + k]], axis=-1
                )
                states.append(bridge[layer * per_direction + k](merged))
        return dict(zip(self.state_names, states, strict=True))

    def _encode(self, source_ids, *encoder_states):
        mask = tf.not_equal(source_ids, 0) if self.fixed_length else None
        if self.model.reverse_source and mask is None:
            source_ids = tf.reverse(source_ids, axis=[1])
        elif self.model.reverse_source:
            # Only the real tokens turn around; the padding stays at the end.
            lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)
            source_ids = tf.reverse_sequence(source_ids, lengths, seq_axis=1, batch_axis=0)
        vectors = tf.gather(self.source_embeddings, source_ids)
        _, final_states, last_outputs = self.encoder(vectors, list(encoder_states), mask=mask)
        result = {}
        if self.model.context_feeding:
            result["context"] = (
                last_outputs[0] if len(last_outputs) == 1 else tf.concat(last_outputs, axis=-1)
            )
        if self.bridged and not self.encoder.fused:
            result.update(self._bridge(final_states))
        elif not self.encoder.fused:
            result.update(dict(zip(self.encoder.state_names, final_states, strict=True)))
        return result

    def _decode_step(self, token, *inputs):
        states = list(inputs[: len(self.state_names)])
        vectors = tf.gather(self.target_embeddings, token[:, None])
        embedded = vectors[:, -1]
        if self.model.context_feeding:
            context = inputs[len(self.state_names)]
            vectors = tf.concat([vectors, context[:, None, :]], axis=-1)
        outputs, final_states, _ = self.decoder(vectors, states)
        features = outputs[:, -1]
        if self.model.context_feeding:
            features = tf.concat([features, context, embedded], axis=-1)
        if self.output_projection is not None:
            features = self.output_projection(features)
        if self.output_kernel is None:
            logits = tf.matmul(features, self.target_embeddings, transpose_b=True)
        else:
            logits = tf.matmul(features, self.output_kernel)
        if self.output_bias is not None:
            logits = logits + self.output_bias
        result = {"logits": logits}
        for name, state in zip(self.state_names, final_states, strict=True):
            if state is not None:
                result[name] = state
        return result

    def signatures(self):
        fused = self.encoder.fused
        length = self.fixed_length or (TRACE_LENGTH if fused else None)
        context = (
            [tf.TensorSpec([1, self.context_dim], tf.float32, name="context")] if self.context_dim else []
        )
        encoder_names = self.encoder.state_names
        encode_outputs = encoder_names if fused else []
        signatures = [
            Signature(
                "encode",
                self._encode,
                [tf.TensorSpec([1, length], tf.int32, name="source_ids")] + self.encoder.state_specs(),
                SignaturePlan(
                    outputs=encode_outputs, reset=encoder_names, dynamic={"source_ids": [1]} if fused else {}
                ),
            ),
            Signature(
                "decode_step",
                self._decode_step,
                [tf.TensorSpec([1], tf.int32, name="token")] + self.decoder.state_specs() + context,
                SignaturePlan(outputs=self.state_names),
            ),
        ]
        if self.separate_bridge:
            signatures.insert(1, Signature("bridge", lambda *s: self._bridge(s), self.encoder.state_specs()))
        return signatures

    def sample_inputs(self, tokenizer, examples, count=16, steps=8, max_source_length=0):
        """Real `(key, inputs)` pairs: sources encoded, then a few greedy decoder steps from their states."""
        source_tokenizer = getattr(tokenizer, "source", tokenizer)
        start_id = getattr(tokenizer, "target", tokenizer).newline_id
        encoder_zeros = {
            name: np.zeros((1, dim), np.float32)
            for name, dim in zip(self.encoder.state_names, self.encoder.state_dims, strict=True)
        }
        for text in examples.texts[:count]:
            ids = np.asarray(source_tokenizer.encode(text), np.int32)[
                : self.fixed_length or max_source_length or None
            ]
            if len(ids) == 0:
                continue
            source = ids[None, :]
            if self.fixed_length:
                source = np.pad(source, ((0, 0), (0, self.fixed_length - len(ids))))
            encode = {"source_ids": source, **encoder_zeros}
            yield "encode", encode
            encoded = self.keras_reference("encode", encode)
            if self.separate_bridge:
                raw = {name: encoded[name] for name in self.encoder.state_names}
                yield "bridge", raw
                encoded.update(self.keras_reference("bridge", raw))
            states = {name: encoded[name] for name in self.state_names}
            context = {"context": encoded["context"]} if self.context_dim else {}
            token = np.array([start_id], np.int32)
            for _ in range(steps):
                inputs = {"token": token, **states, **context}
                yield "decode_step", inputs
                decoded = self.keras_reference("decode_step", inputs)
                states = {name: decoded[name] for name in self.state_names}
                token = np.array([int(np.argmax(decoded["logits"][0, 1:])) + 1], np.int32)

    def keras_reference(self, key, inputs):
        """The Keras model's outputs for the same inputs, named as the signature's."""
        if key == "encode":
            source_ids = inputs["source_ids"][:, : np.count_nonzero(inputs["source_ids"])]
            inputs = {**inputs, "source_ids": source_ids}
            states, context = self.model.encode(tf.constant(source_ids), training=False)
            if self.separate_bridge:
                # The reference for the raw encoder states: the stack's own final states.
                ids = inputs["source_ids"][:, ::-1] if self.model.reverse_source else inputs["source_ids"]
                vectors = self.model.source_embedding(tf.constant(np.ascontiguousarray(ids)))
                _, raw = self.model.encoder(vectors, training=False)
                reference = {
                    name: np.asarray(s) for name, s in zip(self.encoder.state_names, raw, strict=True)
                }
            else:
                reference = {name: np.asarray(s) for name, s in zip(self.state_names, states, strict=True)}
            if self.context_dim:
                reference["context"] = np.asarray(context)
            return reference
        if key == "bridge":
            merged = self._bridge(
                [tf.constant(inputs[name]) for name in self.encoder.state_names], self.model.bridge
            )
            return {name: np.asarray(value) for name, value in merged.items()}
        states = [tf.constant(inputs[name]) for name in self.state_names]
        context = tf.constant(inputs["context"]) if self.context_dim else None
        logits, states = self.model.decode(
            tf.constant(inputs["token"][:, None]), states, context, training=False
        )
        reference = {"logits": np.asarray(logits)[:, -1]}
        reference.update({name: np.asarray(s) for name, s in zip(self.state_names, states, strict=True)})
        return reference


@register_exporter("translator")
class TranslatorExporter(Exporter):
    """A translator's export: `encode` (and `bridge`), then `decode_step`; quantized files scored by BLEU."""

    model_class = Seq2SeqTranslator

    sequence_key = "encode"
    step_key = "decode_step"
    sample_count = 32

    def input_tokenizer(self, tokenizer):
        return tokenizer.source

    def graph(self, model, fixed_length=None, lstm_step="fused"):
        return TranslatorExport(model, fixed_length, lstm_step)

    def unrolled_length(self, config):
        return config.data.max_source_length

    def web_graph(self, model, config):
        # The source padded to max_source_length with a mask and unrolled; decode_step as gate ops.
        return TranslatorExport(model, self.unrolled_length(config), lstm_step="unrolled")

    def read_examples(self, path, config):
        return read_translator_examples(path, config.data)

    def sample_inputs(self, graph, tokenizer, examples, config):
        return list(graph.sample_inputs(tokenizer, examples, self.sample_count,
                                        max_source_length=config.data.max_source_length))

    def state_dims(self, graph):
        return graph.decoder.state_dims

    def metadata(self, graph, tokenizer, config):
        end = int(tokenizer.target.newline_id)
        order = "encode, bridge, decode_step" if graph.separate_bridge else "encode, decode_step"
        metadata = {
            "special_ids": {"pad": 0, "start": end, "end": end},
            "max_source_length": int(config.data.max_source_length),
            "max_target_length": int(config.data.max_target_length),
            "length_penalty": float(config.training.length_penalty),
            "usage": (f"Call {order}: decode_step from the start id with the states encode returns (and "
                      "its context), feeding each chosen token back until the end id."),
        }
        if graph.separate_bridge:
            metadata["encoder_states"] = list(graph.encoder.state_names)
        return metadata

    def task_metric(self, quantized, reference, examples):
        from seqtk.metrics.translation import translation_scores

        sources = examples.texts[:200]
        float_outputs = reference.translate(sources)
        quantized_outputs = quantized.translate(sources)
        if examples.targets:
            targets = examples.targets[:200]
            float_bleu = translation_scores(float_outputs, targets)["bleu"]
            quantized_bleu = translation_scores(quantized_outputs, targets)["bleu"]
            return {
                "sentences": len(sources),
                "float_bleu": float_bleu,
                "quantized_bleu": quantized_bleu,
                "bleu_difference": quantized_bleu - float_bleu,
            }
        agreement = translation_scores(quantized_outputs, float_outputs)["bleu"]
        return {"sentences": len(sources), "bleu_against_float_outputs": agreement}
