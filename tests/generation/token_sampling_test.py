"""Numpy token sampling: each filter keeps to its candidates, a seed repeats a draw, bad settings are refused."""

import numpy as np
import pytest

from seqtk.generation.token_sampling import log_softmax, sample_token, sampler_filters


class TokenSamplingTest:
    def test_greedy_top_k_and_top_p_keep_to_their_candidates(self):
        logits = np.log(np.array([0.0, 0.5, 0.3, 0.15, 0.05]) + 1e-12)
        rng = np.random.default_rng(0)
        assert sample_token(logits, 0, 0, 1.0, rng) == 1
        assert {sample_token(logits, 1.0, 2, 1.0, rng) for _ in range(200)} == {1, 2}
        assert {sample_token(logits, 1.0, 0, 0.75, rng) for _ in range(200)} == {1, 2}
        assert 0 not in {sample_token(np.zeros(5), 1.0, 0, 1.0, rng) for _ in range(200)}  # padding is never drawn

    def test_draws_follow_the_softmax_at_the_temperature(self):
        logits = np.array([-50.0, 0.0, np.log(3.0)])
        rng = np.random.default_rng(1)
        draws = np.array([sample_token(logits, 1.0, 0, 1.0, rng) for _ in range(4000)])
        assert np.mean(draws == 2) == pytest.approx(0.75, abs=0.03)
        hot = np.array([sample_token(logits, 2.0, 0, 1.0, rng) for _ in range(4000)])
        assert np.mean(hot == 2) == pytest.approx(np.sqrt(3) / (1 + np.sqrt(3)), abs=0.03)

    def test_a_seed_repeats_the_draws(self):
        logits = np.random.default_rng(2).normal(size=50)
        first = [sample_token(logits, 0.9, 10, 0.95, np.random.default_rng(7)) for _ in range(5)]
        assert first == [sample_token(logits, 0.9, 10, 0.95, np.random.default_rng(7)) for _ in range(5)]

    def test_log_softmax_sums_to_one(self):
        assert np.exp(log_softmax(np.array([1.0, 2.0, 3.0]))).sum() == pytest.approx(1.0)

    @pytest.mark.parametrize("args,message", [(("nucleus",), "Unknown sampler"),
                                              (("top_k", 0.8, 0), "top_k must be a positive"),
                                              (("top_p", 0.8, 40, 1.5), "top_p must be in"),
                                              (("temperature", -1.0), "temperature must be positive")])
    def test_bad_settings_are_refused(self, args, message):
        with pytest.raises(ValueError, match=message):
            sampler_filters(*args)
