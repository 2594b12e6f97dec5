"""Shared models: a small encoder-decoder half-trained to reverse sequences, for the greedy search, beam search
and SentenceTranslator tests (trained once per test process), and a small untrained character language model
for the generation loops."""

import keras
import numpy as np
import pytest
from search_references import END

from seqtk.models.language_model import LanguageModel
from seqtk.models.seq2seq_translator import Seq2SeqTranslator
from seqtk.tokenizers import CharTokenizer
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss


@pytest.fixture(scope="session")
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


LANGUAGE_MODEL_TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"


@pytest.fixture(scope="module")
def model_and_tokenizer():
    """A 2x32 character LSTM language model (random weights) and its tokenizer."""
    tokenizer = CharTokenizer.train([LANGUAGE_MODEL_TEXT])
    model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=8, hidden_dim=32, num_layers=2, seed=0)
    model(np.array([[1]]))
    return model, tokenizer
