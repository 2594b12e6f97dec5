"""The `tag` signature of a trained sequence tagger (Viterbi decoding inside the file), and its exporter."""

import numpy as np
import tensorflow as tf

from seqtk.data.sentence_encoding import tagger_inputs
from seqtk.data.tag_schemes import model_scheme, output_scheme
from seqtk.export.export_examples import ExportExamples, read_text_lines
from seqtk.export.export_signature import Signature
from seqtk.export.exporter import Exporter, register_exporter
from seqtk.export.frozen_dense import frozen_dense
from seqtk.export.recurrent_graph import TRACE_LENGTH, RecurrentGraph
from seqtk.export.state_signatures import SignaturePlan
from seqtk.models.sequence_tagger import SequenceTagger

# The web target's sentence length: 99.4% of UD English EWT's training sentences (and 99.9% of its validation
# ones) fit; a longer sentence is tagged in pieces of this many tokens.
WEB_SENTENCE_LENGTH = 64


class CharEncoderGraph:
    """The final states of a tagger's character encoder (a one-layer bidirectional `RecurrentStack`) for
    every word of a sentence at once, unrolled over the fixed word width with builtin ops.

    The words are the batch (as many as the sentence has, a dynamic size the fused LSTM op cannot take), and
    a padded character keeps the state, as the Keras layer's mask does: each direction's final state is its
    state after the word's last real character.
    """

    def __init__(self, stack, char_vocabulary_size):
        self.cell_type = stack.cell_type
        # 1.0 for a real character id, 0.0 for padding, looked up as (words, width, 1) by GATHER: an
        # EXPAND_DIMS of the mask would become a RESHAPE holding the traced sentence length.
        self.real_table = tf.constant(np.array([[0.0]] + [[1.0]] * (char_vocabulary_size - 1), np.float32))
        self.directions = []
        for pair in stack.directions:
            for layer in pair:
                kernel, recurrent_kernel, bias = (np.asarray(w, np.float32) for w in layer.get_weights())
                self.directions.append({"backward": layer.go_backwards, "units": layer.units,
                                        "kernel": tf.constant(kernel), "recurrent_kernel": tf.constant(recurrent_kernel),
                                        "bias": tf.constant(bias)})

    def __call__(self, vectors, char_ids):
        """`vectors (words, width, features)` of `char_ids (words, width)` -> `(words, 2 * units)`."""
        real = tf.gather(self.real_table, char_ids)
        finals = []
        for direction in self.directions:
            steps_in, steps_real = vectors, real
            if direction["backward"]:
                steps_in, steps_real = tf.reverse(vectors, axis=[1]), tf.reverse(real, axis=[1])
            finals.append(self._direction(direction, steps_in, steps_real))
        return tf.concat(finals, axis=-1)

    def _direction(self, direction, vectors, real):
        kernel, recurrent_kernel, bias = direction["kernel"], direction["recurrent_kernel"], direction["bias"]
        units = direction["units"]
        input_bias = bias[0] if self.cell_type == "gru" else bias
        # One product per character position (UNPACK, then FULLY_CONNECTED): a RESHAPE of the words would
        # carry the traced sentence length as a constant into the file.
        steps = [tf.matmul(x, kernel) + input_bias for x in tf.unstack(vectors, axis=1)]
        real = tf.unstack(real, axis=1)  # (words, 1) each: 1.0 where the character is real
        width = len(steps)
        h = tf.zeros_like(steps[0][:, :units])
        c = h
        for t in range(width):
            if self.cell_type == "lstm":
                z = steps[t] + tf.matmul(h, recurrent_kernel)
                i, f, g, o = tf.split(z, 4, axis=-1)
                new_c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
                new_h = tf.sigmoid(o) * tf.tanh(new_c)
                c = c + real[t] * (new_c - c)
            elif self.cell_type == "gru":
                new_h = RecurrentGraph._gru_step(steps[t], h, recurrent_kernel, bias, units)
            else:
                new_h = RecurrentGraph._simple_rnn_step(steps[t], h, recurrent_kernel, bias, units)
            h = h + real[t] * (new_h - h)  # a padded character keeps the state
        return h


def viterbi(potentials, transitions, start, end, length):
    """The best tag sequence (int32 `(length,)`) of one sentence's `(time, tags)` scores: a `WHILE` loop
    forward keeping each step's best previous tag, another backward following them."""
    tags = transitions.shape[0]
    pointers = tf.TensorArray(tf.int32, size=length, element_shape=[tags])

    def forward(t, score, pointers):
        candidates = score[:, None] + transitions
        best = tf.reduce_max(candidates, axis=0) + tf.gather(potentials, t)
        return t + 1, best, pointers.write(t, tf.argmax(candidates, axis=0, output_type=tf.int32))

    _, score, pointers = tf.while_loop(lambda t, *_: t < length, forward,
                                       (tf.constant(1), start + potentials[0], pointers.write(0, tf.zeros([tags], tf.int32))),
                                       maximum_iterations=length)
    last = tf.argmax(score + end, output_type=tf.int32)
    path = tf.TensorArray(tf.int32, size=length, element_shape=[])

    def backward(t, tag, path):
        path = path.write(t, tag)
        return t - 1, tf.gather(pointers.read(t), tag), path

    _, _, path = tf.while_loop(lambda t, *_: t >= 0, backward, (length - 1, last, path), maximum_iterations=length)
    return path.stack()


class TaggerExport:
    """`tag(token_ids, char_ids) -> tags, scores` for a `SequenceTagger`, one sentence per call.

    With `fixed_length` (the web target) the sentence is right-padded with 0 to that many tokens, the file
    gives only `scores` (0 at padding), and the app runs the Viterbi search with the transition scores
    `viterbi_scores` gives (metadata.json's `viterbi`), as LiteRT.js cannot run the search's WHILE loops.

    `token_ids (1, words)` are the words' ids and `char_ids (1, words, width)` each word's character ids,
    right-padded with 0 to `width` (`data.max_word_length`), as `WordCharTokenizer.encode_tokens` gives
    them. `tags (1, words)` are tag ids (the metadata lists their names); `scores (1, words, tags)` the
    per-token scores the CRF (or the softmax) reads. The Viterbi search runs inside the file.

    Example:
    >>> export = TaggerExport(model, width=20)
    >>> export.signatures()[0].key
    'tag'
    """


    def __init__(self, model, width, fixed_length=None):
        self.model, self.width, self.fixed_length = model, width, fixed_length
        # A fixed length (the web target) unrolls every recurrence into gate ops over padded sentences.
        self.graph = RecurrentGraph(model.recurrent, lstm_step="unrolled" if fixed_length else "fused")
        self.embeddings = tf.constant(np.asarray(model.word_embedding.embeddings, np.float32))
        self.chars = None
        if model.char_encoder is not None:
            self.char_embeddings = tf.constant(np.asarray(model.char_embedding.embeddings, np.float32))
            self.chars = CharEncoderGraph(model.char_encoder, model.char_vocabulary_size)
        self.scores = frozen_dense(model.scores)
        k = model.num_tags
        if model.crf is not None:
            transitions, start, end = (np.asarray(t, np.float32) for t in model.crf._scores("float32"))
        else:  # a softmax tagger: each token's best tag, which a Viterbi search without transitions finds
            transitions, start, end = np.zeros((k, k), np.float32), np.zeros(k, np.float32), np.zeros(k, np.float32)
        self.transitions, self.start, self.end = tf.constant(transitions), tf.constant(start), tf.constant(end)

    @property
    def state_names(self):
        return self.graph.state_names

    def _tag(self, token_ids, char_ids, *states):
        # No RESHAPE, SQUEEZE or EXPAND_DIMS (which the converter makes a RESHAPE): their target shape would
        # keep the length the signature is traced at (the fused LSTM needs a static one) as a constant. Axes
        # go with GATHER: of item 0, or of each word's position (1, words), counted from the ids' values.
        positions = tf.cumsum(tf.cast(tf.not_equal(token_ids, 0), tf.int32), axis=1) - 1
        vectors = tf.gather(self.embeddings, token_ids)  # (1, words, embedding)
        if self.chars is not None:
            words = tf.gather(char_ids, 0)  # (words, width)
            spelled = self.chars(tf.gather(self.char_embeddings, words), words)
            vectors = tf.concat([vectors, tf.gather(spelled, positions)], axis=-1)
        outputs, _, _ = self.graph(vectors, list(states))
        scores = self.scores(tf.gather(outputs, 0))  # (words, tags)
        length = tf.reduce_sum(tf.cast(tf.not_equal(token_ids, 0), tf.int32))
        tags = viterbi(scores, self.transitions, self.start, self.end, length)
        return {"tags": tf.gather(tags, positions), "scores": tf.gather(scores, positions)}

    def _scores(self, token_ids, char_ids, *states):
        # The fixed-length graph: static shapes throughout, padding masked as the Keras layers mask it.
        real = tf.not_equal(token_ids, 0)
        vectors = tf.gather(self.embeddings, token_ids)  # (1, length, embedding)
        if self.chars is not None:
            words = char_ids[0]  # (length, width): the words are the character encoder's batch
            spelled = self.chars(tf.gather(self.char_embeddings, words), words)
            vectors = tf.concat([vectors, spelled[None]], axis=-1)
        outputs, _, _ = self.graph(vectors, list(states), mask=real)
        return {"scores": self.scores(outputs) * tf.cast(real, tf.float32)[:, :, None]}

    def viterbi_scores(self):
        """`{"transitions", "start", "end"}` as lists: the CRF's scores with the scheme's forbidden moves
        pushed out (all 0 for a softmax tagger), for a Viterbi search outside the file."""
        return {name: tensor.numpy().tolist() for name, tensor in
                (("transitions", self.transitions), ("start", self.start), ("end", self.end))}

    def signatures(self):
        if self.fixed_length:
            length = self.fixed_length
            return [Signature("tag", self._scores,
                              [tf.TensorSpec([1, length], tf.int32, name="token_ids"),
                               tf.TensorSpec([1, length, self.width], tf.int32, name="char_ids")]
                              + self.graph.state_specs(), SignaturePlan(reset=self.state_names))]
        fused = self.graph.fused
        length = TRACE_LENGTH if fused else None
        plan = SignaturePlan(reset=self.state_names, dynamic={"token_ids": [1], "char_ids": [1]} if fused else {})
        return [Signature("tag", self._tag,
                          [tf.TensorSpec([1, length], tf.int32, name="token_ids"),
                           tf.TensorSpec([1, length, self.width], tf.int32, name="char_ids")]
                          + self.graph.state_specs(), plan)]

    def sample_inputs(self, tokenizer, examples, count=200):
        """Real `(key, inputs)` pairs: the first `count` sentences, as `seqtk tag` encodes them."""
        zeros = {name: np.zeros((1, dim), np.float32)
                 for name, dim in zip(self.state_names, self.graph.state_dims, strict=True)}
        for text in examples.texts[:count]:
            tokens = text.split()[: self.fixed_length or None]
            yield "tag", {**tagger_inputs(tokenizer, tokens, self.width, self.fixed_length), **zeros}

    def _keras(self):
        # One trace for every sentence length: the references are computed for hundreds of sentences.
        if getattr(self, "_compiled", None) is None:
            spec = (tf.TensorSpec((1, None), tf.int32), tf.TensorSpec((1, None, self.width), tf.int32))
            self._compiled = (tf.function(lambda x: self.model(x, training=False), input_signature=[spec]),
                              tf.function(self.model.decode, input_signature=[spec]))
        return self._compiled

    @staticmethod
    def _unpadded(inputs):
        words = int(np.count_nonzero(inputs["token_ids"]))
        return tf.constant(inputs["token_ids"][:, :words]), tf.constant(inputs["char_ids"][:, :words])

    def keras_reference(self, key, inputs):
        scores, _ = self._keras()
        found = scores(self._unpadded(inputs)).numpy()
        padding = inputs["token_ids"].shape[1] - found.shape[1]  # a fixed-length file gives 0 at padding
        return {"scores": np.pad(found, ((0, 0), (0, padding), (0, 0)))}

    def keras_tags(self, inputs):
        _, decode = self._keras()
        return decode(self._unpadded(inputs)).numpy()[0]


def read_tagger_examples(path, data, limit=2000):
    """Sentences from `path`: plain lines of space-separated tokens (`.txt`), or tagged data (CoNLL-U, CoNLL
    columns, JSON lines) read with the model's `data` settings; tags, when present, are kept as targets."""
    from seqtk.data.tagged_text import read_tagged

    if str(path).lower().endswith((".txt", ".text")):
        return read_text_lines(path, limit)
    sentences = read_tagged([str(path)], data.format, data.tag_column)[:limit]
    return ExportExamples([" ".join(s.tokens) for s in sentences], [list(s.tags) for s in sentences],
                          source=str(path), lines=[s.line for s in sentences])


@register_exporter("tagger")
class TaggerExporter(Exporter):
    """A tagger's export: `tag` on one sentence; quantized files scored by tag agreement with the float one."""

    model_class = SequenceTagger

    sequence_key = "tag"
    step_key = None
    sample_count = 200
    unrolls = False
    width = 20

    def graph(self, model, fixed_length=None, lstm_step="fused"):
        return TaggerExport(model, self.width, fixed_length)

    def web_graph(self, model, config):
        # Sentences padded to a fixed length; the Viterbi search moves to the app (JavaScript on the page).
        return TaggerExport(model, self.width, WEB_SENTENCE_LENGTH)

    def prepare(self, config):
        self.width = config.data.max_word_length

    def read_examples(self, path, config):
        return read_tagger_examples(path, config.data)

    def sample_inputs(self, graph, tokenizer, examples, config):
        return list(graph.sample_inputs(tokenizer, examples, self.sample_count))

    def metadata(self, graph, tokenizer, config):
        entry = {
            "special_ids": {"pad": 0, "unknown": int(tokenizer.unknown_id)},
            "tags": list(config.tags),
            "scheme": model_scheme(config.data),
            "output_scheme": output_scheme(config.data),
            "max_word_length": int(config.data.max_word_length),
            "usage": "tag(token_ids (1, words), char_ids (1, words, max_word_length)) on one sentence; tags are "
                     "indices into `tags` (in `scheme`; rewrite them in `output_scheme` if it differs).",
        }
        if graph.fixed_length:
            entry.update({
                "viterbi": graph.viterbi_scores(),
                "usage": f"tag(token_ids (1, {graph.fixed_length}), char_ids (1, {graph.fixed_length}, "
                         "max_word_length)) on one sentence, right-padded with 0 (a longer one in pieces of "
                         f"{graph.fixed_length} tokens, each tagged alone) gives per-token `scores`; the tags are "
                         "the Viterbi path through them with `viterbi`'s transitions, start and end scores, as "
                         "indices into `tags` (in `scheme`; rewrite them in `output_scheme` if it differs).",
            })
        return entry

    def keras_agreement(self, runner, graph, samples):
        """The share of tokens whose tag the file gives as Keras does, over the samples."""
        same = total = 0
        for _, inputs in samples:
            reference = graph.keras_tags(inputs)
            tags = runner.tag_ids(inputs["token_ids"], inputs["char_ids"])
            same += int(np.sum(tags == reference))
            total += reference.size
        return {"tokens": total, "tag_agreement": same / total}

    def task_metric(self, quantized, reference, examples):
        sentences = [text.split() for text in examples.texts[:500]]
        float_tags, quantized_tags = reference.tag(sentences), quantized.tag(sentences)
        same = sum(a == b for x, y in zip(float_tags, quantized_tags, strict=True) for a, b in zip(x, y, strict=True))
        tokens = sum(map(len, sentences))
        return {"sentences": len(sentences), "tokens": tokens, "tag_agreement": same / tokens}
