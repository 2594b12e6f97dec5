"""A small encoder-decoder half-trained to reverse sequences, shared by the greedy search, beam search and
SentenceTranslator tests (trained once per test process)."""

import keras
import numpy as np
import pytest
from search_references import END

from seqtk.models.seq2seq_translator import Seq2SeqTranslator
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
