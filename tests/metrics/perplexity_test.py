"""Perplexity and bits per character from a mean negative log-likelihood in nats."""

import math

from seqtk.metrics.perplexity import bits_per_character, perplexity


class PerplexityTest:
    def test_perplexity_is_exp_of_the_mean_loss_and_saturates_instead_of_overflowing(self):
        assert abs(perplexity(math.log(120.7)) - 120.7) < 1e-9
        assert perplexity(0.0) == 1.0
        assert math.isfinite(perplexity(1e6))  # a diverged loss gives a huge, finite number

    def test_bits_per_character_converts_nats(self):
        assert bits_per_character(math.log(2.0)) == 1.0
        assert abs(bits_per_character(1.444) - 2.0832) < 1e-4  # the shipped character model's card
