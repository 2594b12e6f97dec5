"""A language model's loss over a whole stream, state carried from window to window, against a direct sum."""

import math

import numpy as np
import pytest

from seqtk.inference.language_model_evaluation import evaluate_language_model
from seqtk.models import LanguageModel


class LanguageModelEvaluationTest:
    def test_windows_with_carried_state_score_the_stream_as_one_pass_does(self):
        model = LanguageModel(vocabulary_size=12, embedding_dim=8, hidden_dim=8, num_layers=1, seed=3)
        ids = np.random.default_rng(0).integers(1, 12, size=2 * 21 + 1).astype(np.int32)
        report = evaluate_language_model(model, ids, batch_size=2, sequence_length=7, jit_compile=False,
                                         character_level=True)
        rows = ids[: 2 * 21].reshape(2, 21)  # batchify: two rows, the remainder dropped
        logits = np.asarray(model(rows[:, :-1], training=False))
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        expected = -np.mean(np.take_along_axis(log_probs, rows[:, 1:, None], axis=-1))
        assert report["tokens"] == 2 * 20
        assert report["loss"] == pytest.approx(expected, rel=1e-4)
        assert report["perplexity"] == pytest.approx(math.exp(expected), rel=1e-4)
        assert report["bits_per_character"] == pytest.approx(expected / math.log(2), rel=1e-4)
