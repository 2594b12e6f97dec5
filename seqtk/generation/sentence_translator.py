"""Text in, text out: batching, compiled greedy or beam decoding and detokenization for a translator."""

import warnings

import numpy as np
import tensorflow as tf

from seqtk.data.sentence_encoding import encode_sentences
from seqtk.defaults import BATCH_SIZE
from seqtk.generation.beam_search import beam_search
from seqtk.generation.greedy_search import greedy_search

# Source batches round their length up to this, bounding the shapes XLA compiles each decoding loop for.
PAD_MULTIPLE = 8


class SentenceTranslator:
    """Translates sentences with a trained `Seq2SeqTranslator` and its two tokenizers.

    Sentences are sorted by length and decoded a batch at a time by greedy
    search (`beam_size=1`) or beam search, each a `tf.function` loop (XLA
    with `jit_compile`), then put back in input order. The decoder starts and
    ends on the target tokenizer's end-of-line id.

    Args:
        model: a `Seq2SeqTranslator`.
        source_tokenizer, target_tokenizer: the tokenizers it was trained with.
        max_source_length: longer sources are cut to their first
            `max_source_length` tokens, with a warning (0: no limit).
        max_target_length: the most tokens a translation may have.
        jit_compile: compile the decoding loops with XLA.

    Example:
    >>> translator = SentenceTranslator(model, tokenizers.source, tokenizers.target, max_source_length=64)
    >>> translator.translate(["Je t'aime.", "Il pleut."], beam_size=5)
    ['I love you.', "It's raining."]
    """

    def __init__(self, model, source_tokenizer, target_tokenizer, max_source_length=0, max_target_length=64,
                 jit_compile=True):
        self.model = model
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.max_source_length = max_source_length
        self.max_target_length = max_target_length
        self.end_id = target_tokenizer.newline_id
        self.jit_compile = jit_compile
        self._searches = {}

    def _search(self, beam_size, length_penalty):
        key = (beam_size, float(length_penalty))
        if key not in self._searches:
            model, end_id, length = self.model, self.end_id, self.max_target_length
            if beam_size == 1:
                def search(source_ids):
                    return greedy_search(model, source_ids, end_id, end_id, length)
            else:
                def search(source_ids):
                    tokens, scores, _ = beam_search(model, source_ids, end_id, end_id, length, beam_size,
                                                    length_penalty)
                    return tokens, scores
            # One trace for every batch shape; XLA still compiles each shape once, which the
            # padding of source lengths to PAD_MULTIPLE keeps to a handful.
            self._searches[key] = tf.function(search, jit_compile=self.jit_compile,
                                              input_signature=[tf.TensorSpec([None, None], tf.int32)])
        return self._searches[key]

    def encode_sources(self, texts, locations=None):
        """Source ids of each text, cut to `max_source_length` with one warning for all that were cut."""
        sequences = [ids.tolist() for ids in encode_sentences(self.source_tokenizer, texts, locations,
                                                               "source sentence")]
        cut = [locations[i] if locations else f"sentence {i + 1}" for i, ids in enumerate(sequences)
               if self.max_source_length and len(ids) > self.max_source_length]
        if self.max_source_length:
            sequences = [ids[: self.max_source_length] for ids in sequences]
        if cut:
            warnings.warn(
                f"{len(cut)} source sentence(s) exceed the model's limit of {self.max_source_length} tokens and "
                f"were cut to it (first: {cut[0]}); split long sentences for complete translations.",
                stacklevel=2)
        return sequences

    @staticmethod
    def batches(sequences, batch_size):
        """`(indices, padded ids)` batches of similar length, shortest first."""
        order = np.argsort([len(s) for s in sequences], kind="stable")
        for start in range(0, len(order), batch_size):
            indices = order[start : start + batch_size]
            width = -(-max(len(sequences[i]) for i in indices) // PAD_MULTIPLE) * PAD_MULTIPLE
            batch = np.zeros((len(indices), width), np.int32)
            for row, i in enumerate(indices):
                batch[row, : len(sequences[i])] = sequences[i]
            yield indices, batch

    def warm_up(self, sequences, beam_size=1, length_penalty=0.0, batch_size=BATCH_SIZE):
        """Compiles the decoding loop for every batch shape that translating `sequences` will meet."""
        search = self._search(int(beam_size), length_penalty)
        for batch in {b.shape: b for _, b in self.batches(sequences, batch_size)}.values():
            search(tf.constant(batch))

    def translate_ids(self, sequences, beam_size=1, length_penalty=0.0, batch_size=BATCH_SIZE):
        """Target ids of each source id list (without the end id) and the model's score of each."""
        if beam_size < 1:
            raise ValueError(f"beam_size must be at least 1; received {beam_size}.")
        search = self._search(int(beam_size), length_penalty)
        outputs, scores = [None] * len(sequences), np.zeros(len(sequences), np.float32)
        for indices, batch in self.batches(sequences, batch_size):
            tokens, batch_scores = search(tf.constant(batch))
            for row, i in enumerate(indices):
                ids = tokens[row].numpy().tolist()
                outputs[i] = ids[: ids.index(self.end_id)] if self.end_id in ids else [t for t in ids if t]
                scores[i] = float(batch_scores[row])
        return outputs, scores

    def translate(self, texts, beam_size=1, length_penalty=0.0, batch_size=BATCH_SIZE, locations=None):
        """Translations of `texts` (a string or a list), in order."""
        single = isinstance(texts, str)
        texts = [texts] if single else list(texts)
        if not texts:
            return []
        outputs, _ = self.translate_ids(self.encode_sources(texts, locations), beam_size, length_penalty,
                                        batch_size)
        translations = self.decode(outputs)
        return translations[0] if single else translations

    def decode(self, outputs):
        """Target text of each list of ids that `translate_ids` returned."""
        return [self.target_tokenizer.decode(ids) for ids in outputs]
