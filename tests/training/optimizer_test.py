"""The optimizer a config names, with its clipping and weight decay."""

import pytest

from seqtk.training.config import TrainingConfig
from seqtk.training.optimizer import make_optimizer
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule


class MakeOptimizerTest:
    def test_the_config_sets_rate_clipping_and_decay(self):
        optimizer = make_optimizer(TrainingConfig(optimizer="adamw", learning_rate=0.01, clipnorm=2.0,
                                                  weight_decay=0.1))
        assert type(optimizer).__name__ == "AdamW" and optimizer.global_clipnorm == 2.0
        assert optimizer.weight_decay == pytest.approx(0.1) and float(optimizer.learning_rate) == pytest.approx(0.01)
        assert make_optimizer(TrainingConfig(clipnorm=0.0)).global_clipnorm is None

    def test_a_schedule_replaces_the_rate(self):
        schedule = SlantedTriangularSchedule(0.01, total_steps=100)
        assert make_optimizer(TrainingConfig(optimizer="sgd"), schedule).learning_rate is not None
        assert make_optimizer(TrainingConfig(optimizer="sgd"), schedule)._learning_rate is schedule
