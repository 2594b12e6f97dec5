"""ULMFiT's slanted triangular learning rate (Howard & Ruder 2018, eq. 3), against the paper's formula."""

import keras
import pytest

from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule


def paper(step, total, cut_fraction=0.1, ratio=32.0, peak=0.01):
    cut = int(total * cut_fraction)
    p = step / cut if step < cut else 1 - (step - cut) / (cut * (1 / cut_fraction - 1))
    return peak * (1 + p * (ratio - 1)) / ratio


class SlantedTriangularScheduleTest:
    @pytest.mark.parametrize("step", [0, 10, 50, 100, 550, 999, 1000])
    def test_rates_follow_the_papers_formula(self, step):
        schedule = SlantedTriangularSchedule(0.01, total_steps=1000)
        assert float(schedule(step)) == pytest.approx(paper(step, 1000), rel=1e-5)

    def test_after_the_last_step_the_rate_stays_lowest_and_the_schedule_round_trips(self):
        schedule = SlantedTriangularSchedule(0.01, total_steps=100)
        assert float(schedule(500)) == pytest.approx(0.01 / 32, rel=1e-5)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
        assert restored.get_config() == schedule.get_config()
        with pytest.raises(ValueError, match="cut_fraction must be in"):
            SlantedTriangularSchedule(0.01, total_steps=100, cut_fraction=1.0)
