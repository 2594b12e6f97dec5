import keras
import numpy as np
import pytest
import tensorflow as tf

from seqtk.generation.beam_search import beam_search, length_normalizer
from seqtk.generation.greedy_search import greedy_search
from seqtk.generation.sentence_translator import SentenceTranslator
from seqtk.models.seq2seq_translator import Seq2SeqTranslator
from seqtk.tokenizers import WordTokenizer
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss

END = 2  # the word tokenizer's <eos>, which starts and ends every translation
MAX_LENGTH = 10


@pytest.fixture(scope="module")
def reverser():
    """A small model half-trained to reverse sequences of words: confident on some, unsure on others."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    sources = [rng.integers(3, 13, rng.integers(2, 6)) for _ in range(3000)]
    width = max(map(len, sources))
    source = np.zeros((len(sources), width), "int32")
    decoder_inputs = np.zeros((len(sources), width + 1), "int32")
    decoder_targets = np.zeros((len(sources), width + 1), "int32")
    for row, s in enumerate(sources):
        target = s[::-1]
        source[row, : len(s)] = s
        decoder_inputs[row, : len(s) + 1] = np.concatenate([[END], target])
        decoder_targets[row, : len(s) + 1] = np.concatenate([target, [END]])
    model = Seq2SeqTranslator(13, 13, embedding_dim=16, hidden_dim=48, num_layers=1, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=MaskedSequenceLoss())
    model.fit((source, decoder_inputs), decoder_targets, batch_size=64, epochs=4, verbose=0)
    test = np.zeros((40, width), "int32")
    for row in range(40):
        s = rng.integers(3, 13, rng.integers(2, 6))
        test[row, : len(s)] = s
    return model, test


def reference_greedy(model, source):
    states, context = model.encode(source)
    token = np.full((source.shape[0], 1), END, "int32")
    outputs, finished = [], np.zeros(source.shape[0], bool)
    for _ in range(MAX_LENGTH):
        logits, states = model.decode(token, states, context)
        logits = np.array(logits)[:, 0]
        logits[:, 0] = -np.inf
        best = np.where(finished, 0, logits.argmax(-1))
        outputs.append(best)
        finished |= best == END
        token = best[:, None].astype("int32")
    return np.stack(outputs, 1)


def sequence_log_prob(model, source, tokens):
    """Total log-probability of each hypothesis under teacher forcing, computed apart from any search."""
    decoder_inputs = np.concatenate([np.full((len(tokens), 1), END), tokens[:, :-1]], 1).astype("int32")
    logits = np.asarray(model((source, decoder_inputs))).astype("float64")
    logits[:, :, 0] = -1e9
    log_probs = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        - logits.max(-1, keepdims=True)
    picked = np.take_along_axis(log_probs, tokens[:, :, None], -1)[:, :, 0]
    return (picked * (tokens > 0)).sum(1)


class TranslationSearchTest:
    def test_greedy_search_equals_a_step_by_step_argmax(self, reverser):
        model, source = reverser
        tokens, _ = tf.function(lambda s: greedy_search(model, s, END, END, MAX_LENGTH), jit_compile=True)(source)
        np.testing.assert_array_equal(tokens.numpy(), reference_greedy(model, source))

    def test_the_model_has_learned_part_of_the_task(self, reverser):
        model, source = reverser
        tokens, _ = greedy_search(model, tf.constant(source), END, END, MAX_LENGTH)
        correct = [list(t[: list(t).index(END)]) == list(s[s > 0][::-1]) if END in t else False
                   for t, s in zip(tokens.numpy(), source)]
        assert 0.2 < np.mean(correct) < 1.0  # a search has choices to make only where the model is unsure

    def test_beam_of_one_is_greedy(self, reverser):
        model, source = reverser
        greedy_tokens, greedy_scores = greedy_search(model, tf.constant(source), END, END, MAX_LENGTH)
        tokens, scores, log_probs = beam_search(model, tf.constant(source), END, END, MAX_LENGTH, beam_size=1)
        np.testing.assert_array_equal(tokens.numpy(), greedy_tokens.numpy())
        np.testing.assert_allclose(log_probs.numpy(), greedy_scores.numpy(), atol=1e-4)
        np.testing.assert_allclose(scores.numpy(), log_probs.numpy(), atol=1e-6)

    @pytest.mark.parametrize("length_penalty", [0.0, 0.6])
    def test_a_wider_beam_never_returns_a_lower_scoring_hypothesis(self, reverser, length_penalty):
        model, source = reverser
        search = tf.function(lambda s, k: beam_search(model, s, END, END, MAX_LENGTH, k, length_penalty),
                             jit_compile=True, reduce_retracing=True)
        previous = None
        for beam_size in (1, 2, 5, 8):
            tokens, scores, log_probs = search(tf.constant(source), beam_size)
            if previous is not None:
                assert (scores.numpy() >= previous - 1e-4).all(), beam_size
            previous = scores.numpy()
            # The reported score is the hypothesis' real log-probability over its length normalizer.
            recomputed = sequence_log_prob(model, source, tokens.numpy())
            np.testing.assert_allclose(log_probs.numpy(), recomputed, atol=2e-3)
            lengths = (tokens.numpy() > 0).sum(1)
            np.testing.assert_allclose(scores.numpy(), recomputed / length_normalizer(lengths, length_penalty).numpy(),
                                       atol=2e-3)

    def test_hypotheses_end_once_and_hold_padding_after_the_end(self, reverser):
        model, source = reverser
        tokens, _, _ = beam_search(model, tf.constant(source), END, END, MAX_LENGTH, beam_size=4)
        for row in tokens.numpy():
            if END in row:
                end = list(row).index(END)
                assert (row[end + 1 :] == 0).all() and (row[:end] > 0).all()

    def test_length_normalizer_is_gnmt_formula(self):
        np.testing.assert_allclose(length_normalizer(tf.constant([1, 7]), 0.6).numpy(),
                                   [1.0, (12 / 6) ** 0.6], rtol=1e-6)
        assert float(length_normalizer(5, 0.0)) == 1.0


class SentenceTranslatorTest:
    def make(self, reverser, **kwargs):
        model, _ = reverser
        tokenizer = WordTokenizer([str(i) for i in range(3, 13)])
        return SentenceTranslator(model, tokenizer, tokenizer, max_target_length=MAX_LENGTH, **kwargs), tokenizer

    def test_translates_in_input_order_and_matches_greedy_ids(self, reverser):
        translator, tokenizer = self.make(reverser)
        _, source = reverser
        texts = [tokenizer.decode(row[row > 0].tolist()) for row in source]
        translations = translator.translate(texts, batch_size=7)
        tokens, _ = greedy_search(reverser[0], tf.constant(source), END, END, MAX_LENGTH)
        for text, row in zip(translations, tokens.numpy()):
            ids = row.tolist()
            assert text == tokenizer.decode(ids[: ids.index(END)] if END in ids else ids)
        assert translator.translate(texts[3]) == translations[3]
        assert translator.translate(texts[:9], beam_size=3) == [translator.translate(t, beam_size=3) for t in texts[:9]]

    def test_long_sources_are_cut_with_a_warning_naming_the_first(self, reverser):
        translator, _ = self.make(reverser, max_source_length=3)
        with pytest.warns(UserWarning, match=r"1 source sentence\(s\) exceed the model's limit of 3 tokens .*"
                                             r"first: input.txt, line 2"):
            translated = translator.translate(["3 4", "5 6 7 8 9"], locations=["input.txt, line 1", "input.txt, line 2"])
        assert translated[1] == translator.translate("5 6 7")

    def test_empty_sentence_is_an_error_naming_it(self, reverser):
        translator, _ = self.make(reverser)
        with pytest.raises(ValueError, match=r"sentence 2: the source sentence encodes to no tokens"):
            translator.translate(["3 4", "  "])
