import json
import os

import keras
import numpy as np
import pytest

from seqtk.models.language_model import LanguageModel
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.checkpoint import (
    CheckpointCallback,
    resume_position,
    restore_training_state,
    snapshot_folder,
    write_snapshot,
)


def write_files(content):
    def write(folder):
        for name in ("last.keras", "training_state.json"):
            with open(os.path.join(folder, name), "w") as handle:
                handle.write(content)

    return write


class SnapshotTest:
    def test_a_failed_write_leaves_the_previous_checkpoint_whole(self, tmp_path):
        write_snapshot(str(tmp_path), write_files("one"))

        def failing(folder):
            write_files("two")(folder)
            raise OSError(28, "No space left on device")

        with pytest.raises(OSError, match="No space left"):
            write_snapshot(str(tmp_path), failing)
        assert snapshot_folder(str(tmp_path)) == str(tmp_path / "checkpoint")
        assert (tmp_path / "checkpoint" / "last.keras").read_text() == "one"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]

    def test_a_crash_between_the_renames_finds_the_previous_checkpoint(self, tmp_path):
        write_snapshot(str(tmp_path), write_files("one"))
        os.rename(tmp_path / "checkpoint", tmp_path / ".checkpoint.old")  # the first rename of the swap
        os.makedirs(tmp_path / ".checkpoint.saving")  # the new one, never renamed
        assert snapshot_folder(str(tmp_path)) == str(tmp_path / ".checkpoint.old")
        write_snapshot(str(tmp_path), write_files("two"))  # the next checkpoint tidies up
        assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]
        assert (tmp_path / "checkpoint" / "training_state.json").read_text() == "two"

    def test_no_checkpoint_is_none(self, tmp_path):
        assert snapshot_folder(str(tmp_path)) is None and restore_training_state(str(tmp_path)) == (None, None)


def tiny_trainer():
    model = CarriedStateModel(LanguageModel(10, embedding_dim=4, hidden_dim=4, num_layers=1, input_dropout=0.5,
                                            output_dropout=0.5, seed=3),
                              batch_size=2)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


class CheckpointCallbackStepsTest:
    def test_checkpoints_inside_the_epoch_hold_position_carry_rng_and_running_metrics(self, tmp_path):
        trainer = tiny_trainer()
        ids = np.random.default_rng(0).integers(1, 10, (8, 5)).astype("int32")
        callback = CheckpointCallback(str(tmp_path), every_steps=3, steps_per_epoch=4)
        trainer.fit(ids, ids, batch_size=2, epochs=1, verbose=0, shuffle=False, callbacks=[callback])
        # Steps 1-4: one checkpoint inside the epoch (step 3), then the epoch's own (step 4).
        restored, state = restore_training_state(str(tmp_path))
        assert state["position"] == 4 and state["epoch"] == 0 and not state["mid_epoch"]
        assert resume_position(state, 4) == (1, 0)

        trainer.fit(ids, ids, batch_size=2, epochs=2, initial_epoch=1, verbose=0, shuffle=False, callbacks=[callback])
        # Step 7 (3 of the second epoch) is inside it; step 8 ends it. Stop before the end to see step 7's.
        callback = CheckpointCallback(str(tmp_path / "inside"), every_steps=3, steps_per_epoch=4)

        class Stop(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 2:
                    raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            trainer.fit(ids, ids, batch_size=2, epochs=1, verbose=0, shuffle=False, callbacks=[callback, Stop()])
        restored, state = restore_training_state(str(tmp_path / "inside"))
        assert state["mid_epoch"] and state["position"] == 3 and state["epoch"] == -1
        assert resume_position(state, 4) == (0, 3)
        arrays = state["arrays"]
        for index, variable in enumerate(trainer.carried):
            np.testing.assert_array_equal(arrays[f"carried_{index}_0000"], variable.numpy())
        seeds = [v for v in trainer.variables if v.path.endswith("seed_generator_state")]
        assert seeds and all(np.array_equal(arrays[f"seed_{i}"], v.numpy()) for i, v in enumerate(seeds))
        assert [arrays[f"metric_{i}"] for i in range(len(trainer.metrics_variables))][1] == 6  # loss count: 3×2 rows
        # A resumed callback puts the RNG states back (the .keras file starts them over).
        assert not all(np.array_equal(arrays[f"seed_{i}"], v.numpy())
                       for i, v in enumerate(v for v in restored.variables if v.path.endswith("seed_generator_state")))
        resumed = CheckpointCallback(str(tmp_path / "inside"), every_steps=3, steps_per_epoch=4)
        resumed.restored = state
        resumed.set_model(restored)
        resumed.on_train_begin()
        assert resumed.position == 3
        assert all(np.array_equal(arrays[f"seed_{i}"], v.numpy())
                   for i, v in enumerate(v for v in restored.variables if v.path.endswith("seed_generator_state")))

    def test_every_minutes_checkpoints_once_the_time_has_passed(self, tmp_path, monkeypatch):
        clock = [1000.0]
        monkeypatch.setattr("seqtk.training.checkpoint.time.monotonic", lambda: clock[0])
        trainer = tiny_trainer()
        ids = np.ones((8, 5), "int32")
        callback = CheckpointCallback(str(tmp_path), every_minutes=2, steps_per_epoch=4)

        class Tick(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                clock[0] += 50.0  # each step takes 50 s: the 2-minute mark falls after step 3

        positions = []
        original = CheckpointCallback._save

        def recording(self, mid_epoch, epoch=None):
            positions.append((self.position, mid_epoch))
            original(self, mid_epoch, epoch)

        monkeypatch.setattr(CheckpointCallback, "_save", recording)
        trainer.fit(ids, ids, batch_size=2, epochs=1, verbose=0, callbacks=[Tick(), callback])
        assert positions == [(3, True), (4, False)]
        assert json.loads((tmp_path / "checkpoint" / "training_state.json").read_text())["position"] == 4

    def test_a_checkpoint_of_an_earlier_layout_resumes_at_the_next_epoch(self, tmp_path):
        trainer = tiny_trainer()
        trainer.fit(np.ones((4, 5), "int32"), np.ones((4, 5), "int32"), batch_size=2, verbose=0)
        trainer.save(tmp_path / "last.keras")  # seqtk before 0.9: the files in the folder itself
        (tmp_path / "training_state.json").write_text(json.dumps({"epoch": 2, "history": [], "watched": []}))
        restored, state = restore_training_state(str(tmp_path))
        assert restored is not None and state["arrays"] == {} and state["best_weights"] is None
        assert resume_position(state, 7) == (3, 0)
        # So does one written with another number of steps per epoch.
        assert resume_position({"epoch": 1, "position": 9, "steps_per_epoch": 5}, 4) == (2, 0)
