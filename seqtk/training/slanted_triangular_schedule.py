"""ULMFiT's slanted triangular learning rate: a short linear warm-up, then a long linear decay."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class SlantedTriangularSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Rises linearly for `cut_fraction` of `total_steps`, then falls linearly (Howard & Ruder 2018, eq. 3).

    The rate runs from `max_learning_rate / ratio` up to `max_learning_rate`
    and back down; after `total_steps` it stays at the lowest rate.

    Args:
        max_learning_rate: the peak rate.
        total_steps: the number of training steps the schedule spans.
        cut_fraction: the share of steps spent rising.
        ratio: how much smaller the lowest rate is than the peak.

    Example:
    >>> schedule = SlantedTriangularSchedule(0.01, total_steps=1000)
    >>> optimizer = keras.optimizers.Adam(learning_rate=schedule)
    """

    def __init__(self, max_learning_rate, total_steps, cut_fraction=0.1, ratio=32.0):
        if total_steps < 1:
            raise ValueError(f"total_steps must be at least 1; received {total_steps}.")
        if not 0 < cut_fraction < 1:
            raise ValueError(f"cut_fraction must be in (0, 1); received {cut_fraction}.")
        self.max_learning_rate = max_learning_rate
        self.total_steps = total_steps
        self.cut_fraction = cut_fraction
        self.ratio = ratio

    def __call__(self, step):
        step = ops.minimum(ops.cast(step, "float32"), float(self.total_steps))
        cut = max(int(self.total_steps * self.cut_fraction), 1)
        rising = step / cut
        falling = 1.0 - (step - cut) / max(cut * (1.0 / self.cut_fraction - 1.0), 1.0)
        position = ops.maximum(ops.where(step < cut, rising, falling), 0.0)
        return self.max_learning_rate * (1.0 + position * (self.ratio - 1.0)) / self.ratio

    def get_config(self):
        return {"max_learning_rate": self.max_learning_rate, "total_steps": self.total_steps,
                "cut_fraction": self.cut_fraction, "ratio": self.ratio}
