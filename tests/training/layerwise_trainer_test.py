import keras
import numpy as np
import pytest

from seqtk.models import TextClassifier
from seqtk.training.layerwise_trainer import GroupScheduleCallback, LayerwiseTrainer, group_scales
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule


def data(seed=0):
    rng = np.random.RandomState(seed)
    return rng.randint(1, 20, (16, 6)).astype("int32"), rng.randint(0, 2, 16).astype("int32")


def trained_copy(scales, optimizer):
    keras.utils.set_random_seed(5)
    model = TextClassifier(20, 2, embedding_dim=4, hidden_dim=6, num_layers=2, pooling="mean")
    trainer = LayerwiseTrainer(model)
    trainer.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ids, labels = data()
    trainer.build(ids.shape)
    trainer.group_scales.assign(scales)
    before = [np.array(v) for v in model.trainable_variables]
    trainer.fit(ids, labels, batch_size=16, epochs=1, verbose=0, shuffle=False)
    return model, before


class LayerwiseTrainerTest:
    @pytest.mark.parametrize("optimizer", ["sgd", "adam"])
    def test_scales_are_per_group_learning_rates(self, optimizer):
        full, before = trained_copy([1.0, 1.0, 1.0, 1.0], optimizer)
        scaled, before_scaled = trained_copy([0.0, 0.5, 1.0, 0.25], optimizer)
        for b, b2 in zip(before, before_scaled, strict=True):
            np.testing.assert_array_equal(b, b2)  # same start
        full_steps = {id(v): np.array(v) - b for v, b in zip(full.trainable_variables, before, strict=True)}
        index = {id(v): i for i, v in enumerate(scaled.trainable_variables)}
        for group, scale in zip(scaled.layer_groups(), [0.0, 0.5, 1.0, 0.25], strict=True):
            for variable in group:
                i = index[id(variable)]
                step = np.array(variable) - before_scaled[i]
                expected = scale * full_steps[id(full.trainable_variables[i])]
                np.testing.assert_allclose(step, expected, atol=1e-6)

    def test_group_scales_discriminative_and_gradual(self):
        assert group_scales(4, epoch=0) == [1.0, 1.0, 1.0, 1.0]
        assert group_scales(3, epoch=0, decay=2.0) == [0.25, 0.5, 1.0]
        assert group_scales(4, epoch=0, decay=2.6, gradual_unfreezing=True) == [0.0, 0.0, 0.0, 1.0]
        assert group_scales(4, epoch=1, decay=1.0, gradual_unfreezing=True) == [0.0, 0.0, 1.0, 1.0]
        assert group_scales(4, epoch=5, decay=1.0, gradual_unfreezing=True) == [1.0] * 4

    def test_callback_freezes_all_but_the_head_in_the_first_epoch(self):
        model = TextClassifier(20, 2, embedding_dim=4, hidden_dim=6, pooling="last")
        trainer = LayerwiseTrainer(model)
        trainer.compile(optimizer=keras.optimizers.Adam(0.05),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ids, labels = data()
        trainer.build(ids.shape)
        groups = model.layer_groups()
        before = [[np.array(v) for v in g] for g in groups]
        trainer.fit(ids, labels, epochs=1, verbose=0,
                    callbacks=[GroupScheduleCallback(decay=2.6, gradual_unfreezing=True)])
        for group, saved in zip(groups[:-1], before[:-1], strict=True):
            for v, b in zip(group, saved, strict=True):
                np.testing.assert_array_equal(v, b)
        assert any(not np.array_equal(v, b) for v, b in zip(groups[-1], before[-1], strict=True))


    @pytest.mark.parametrize("jit_compile", [False, True])
    def test_frozen_groups_leave_backpropagation_and_come_back(self, jit_compile):
        model = TextClassifier(20, 2, embedding_dim=4, hidden_dim=6, num_layers=2, pooling="max")
        trainer = LayerwiseTrainer(model)
        trainer.compile(optimizer=keras.optimizers.Adam(0.05), jit_compile=jit_compile,
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ids, labels = data()
        trainer.build(ids.shape)
        groups = model.layer_groups()
        counts = []

        class Count(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                counts.append(len(self.model.trainable_weights))

        snapshots = []
        record = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: snapshots.append([np.array(v) for v in groups[2]]))
        trainer.fit(ids, labels, epochs=3, batch_size=8, verbose=0,
                    callbacks=[GroupScheduleCallback(gradual_unfreezing=True), Count(), record])
        assert counts == [2, 5, 8]  # head; + top LSTM layer; + lower LSTM layer
        assert len(trainer.trainable_weights) == 9  # all trainable again, the embedding too
        assert not np.array_equal(snapshots[0][0], snapshots[1][0])  # the top layer trained in epoch 2


    def test_save_and_load_keep_the_multipliers_and_the_schedule(self, tmp_path):
        model = TextClassifier(20, 2, embedding_dim=4, hidden_dim=6, pooling="mean")
        trainer = LayerwiseTrainer(model)
        schedule = SlantedTriangularSchedule(0.01, total_steps=40)
        trainer.compile(optimizer=keras.optimizers.Adam(schedule),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ids, labels = data()
        trainer.fit(ids, labels, epochs=1, verbose=0, callbacks=[GroupScheduleCallback(decay=2.0)])
        path = str(tmp_path / "trainer.keras")
        trainer.save(path)
        loaded = keras.saving.load_model(path)
        assert isinstance(loaded, LayerwiseTrainer) and isinstance(loaded.model, TextClassifier)
        np.testing.assert_allclose(loaded.group_scales, [0.25, 0.5, 1.0])
        assert isinstance(loaded.optimizer._learning_rate, SlantedTriangularSchedule)
        np.testing.assert_allclose(loaded.predict(ids, verbose=0), trainer.predict(ids, verbose=0), atol=1e-6)


class SlantedTriangularScheduleTest:
    def test_matches_the_paper_formula(self):
        schedule = SlantedTriangularSchedule(0.01, total_steps=1000, cut_fraction=0.1, ratio=32)

        def reference(t):
            cut = 100
            p = t / cut if t < cut else 1 - (t - cut) / (cut * (1 / 0.1 - 1))
            return 0.01 * (1 + p * 31) / 32

        for step in (0, 50, 100, 550, 1000):
            assert float(schedule(step)) == pytest.approx(reference(step), rel=1e-5)
        assert float(schedule(5000)) == pytest.approx(0.01 / 32)
        restored = SlantedTriangularSchedule.from_config(schedule.get_config())
        assert float(restored(300)) == pytest.approx(float(schedule(300)))

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match="total_steps"):
            SlantedTriangularSchedule(0.01, 0)
