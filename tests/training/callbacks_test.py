"""The runner's callbacks: language-model metrics, the step schedule, the time budget, validation metrics."""

import math

import pytest

from seqtk.training.callbacks import (
    LanguageModelMetricsCallback,
    TimeBudgetCallback,
    ValidationMetricsCallback,
    step_decay_schedule,
)


class _Model:
    stop_training = False


class CallbacksTest:
    def test_language_model_metrics_come_from_the_validation_loss(self):
        logs = {"val_loss": math.log(100.0)}
        LanguageModelMetricsCallback().on_epoch_end(0, logs)
        assert logs["val_perplexity"] == pytest.approx(100.0)
        assert logs["val_bits_per_token"] == pytest.approx(math.log2(100.0))
        logs = {"val_loss": 100.0}
        LanguageModelMetricsCallback().on_epoch_end(0, logs)
        assert logs["val_perplexity"] == math.inf  # beyond float32, said plainly

    def test_step_decay_keeps_the_rate_then_multiplies_it_each_epoch(self):
        schedule = step_decay_schedule(1.0, 0.5, start_epoch=4)
        assert [schedule(epoch) for epoch in range(6)] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.25]  # 4 epochs at full rate

    def test_the_time_budget_stops_after_the_batch_that_crosses_it(self):
        budget = TimeBudgetCallback(minutes=0.0)
        budget.set_model(_Model())
        budget.on_train_begin()
        budget.on_train_batch_end(0)
        assert budget.model.stop_training and budget.stopped_early
        patient = TimeBudgetCallback(minutes=60.0)
        patient.set_model(_Model())
        patient.on_train_begin()
        patient.on_train_batch_end(0)
        assert not patient.model.stop_training and not patient.stopped_early

    def test_validation_metrics_go_into_the_logs_and_the_log(self):
        lines = []
        callback = ValidationMetricsCallback(lambda: {"val_bleu": 31.25}, lambda v: f"BLEU {v['val_bleu']:.1f}",
                                             lines.append)
        logs = {"val_loss": 2.0}
        callback.on_epoch_end(2, logs)
        assert logs == {"val_loss": 2.0, "val_bleu": 31.25} and lines == ["Epoch 3: BLEU 31.2"]
