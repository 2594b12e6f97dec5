import json
import os

import keras
import numpy as np
import pytest

from seqtk.models import LanguageModel
from seqtk.tasks import load_model_directory
from seqtk.data.language_model_dataset import encode_texts
from seqtk.inference.language_model_evaluation import evaluate_language_model
from seqtk.tasks import load_config, train
from seqtk.training import CarriedStateModel, CheckpointCallback, restore_training_state
from seqtk.training.callbacks import step_decay_schedule

pytestmark = pytest.mark.large


def small_config(tmp_path, corpus_file, *extra):
    return load_config(
        "shakespeare_char",
        overrides=[
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            "model.hidden_dim=32", "model.embedding_dim=16", "training.batch_size=4",
            "training.sequence_length=20", "training.epochs=1", "training.time_budget_minutes=0",
            "training.eval_batch_size=2", "training.verbose=0", "sample_length=20", *extra,
        ],
        data=[corpus_file],
    )


class CarriedStateModelTest:
    def test_state_carries_between_batches_and_resets(self):
        model = LanguageModel(20, embedding_dim=4, hidden_dim=8, num_layers=1)
        trainer = CarriedStateModel(model, batch_size=2)
        ids = np.random.RandomState(0).randint(1, 20, (2, 10))
        whole = model(ids)
        first, second = trainer(ids[:, :5]), trainer(ids[:, 5:])
        np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-5)
        trainer.reset_states()
        np.testing.assert_allclose(trainer(ids[:, :5]), first, atol=1e-6)

    def test_wrapper_round_trips_through_keras_saving(self, tmp_path):
        trainer = CarriedStateModel(LanguageModel(20, embedding_dim=4, hidden_dim=8, num_layers=1), batch_size=2)
        ids = np.ones((2, 3), "int32")
        trainer(ids)
        assert any(np.abs(v.numpy()).max() > 0 for v in trainer.carried)
        trainer.save(tmp_path / "t.keras")
        restored = keras.saving.load_model(tmp_path / "t.keras")
        # The carry is not saved (per replica, reset every epoch): a restored wrapper starts from zeros.
        assert [v.shape for v in restored.carried] == [v.shape for v in trainer.carried]
        assert all(np.abs(v.numpy()).max() == 0 for v in restored.carried)
        assert restored.language_model.get_config() == trainer.language_model.get_config()
        np.testing.assert_allclose(restored.language_model(ids), trainer.language_model(ids), atol=1e-6)


class TrainLanguageModelTest:
    def test_trains_evaluates_and_saves_a_complete_directory(self, tmp_path, corpus_file):
        config = small_config(tmp_path, corpus_file, "training.epochs=2")
        result = train(config, log=lambda *_: None)
        directory = result["directory"]
        assert sorted(os.listdir(directory)) == ["MODEL_CARD.md", "config.yaml", "metrics.json", "model.keras",
                                                 "tokenizer.json"]
        metrics = json.loads(open(os.path.join(directory, "metrics.json")).read())
        history = metrics["history"]
        assert len(history) == 2 and history[1]["loss"] < history[0]["loss"]
        # Two whole epochs of the carried-state stream: (tokens // batch - 1) // BPTT windows each.
        assert metrics["train_steps"] == 2 * ((metrics["train_tokens"] // 4 - 1) // 20)
        assert metrics["train_tokens_per_second"] == pytest.approx(
            metrics["train_steps"] * 4 * 20 / metrics["training_seconds"], rel=1e-6)
        assert metrics["validation"]["bits_per_character"] == pytest.approx(
            metrics["validation"]["loss"] / np.log(2), rel=1e-6)
        assert metrics["validation"]["loss"] < np.log(metrics["vocabulary_size"])
        card = open(os.path.join(directory, "MODEL_CARD.md")).read()
        assert "corpus.txt, first 90%" in card and "last 10% of the training text" in card
        assert "bits_per_character" in card
        model, tokenizer, saved_config = load_model_directory(directory)
        assert saved_config.model.hidden_dim == 32

    @pytest.mark.parametrize("kind", ["word", "sentencepiece"])
    def test_word_and_subword_models_report_perplexity_and_reload_their_tokenizer(self, tmp_path, corpus_file, kind):
        config = small_config(tmp_path, corpus_file, f"tokenizer.kind={kind}", "tokenizer.vocabulary_size=300",
                              "sample_prompt=First Citizen", "training.epochs=2")
        result = train(config, log=lambda *_: None)
        validation = result["metrics"]["validation"]
        assert "bits_per_character" not in validation
        assert validation["perplexity"] == pytest.approx(np.exp(validation["loss"]), rel=1e-6)
        assert validation["perplexity"] < result["metrics"]["vocabulary_size"]
        model, tokenizer, _ = load_model_directory(result["directory"])
        assert tokenizer.kind == kind and tokenizer.vocabulary_size == result["metrics"]["vocabulary_size"]
        assert result["metrics"]["sample"].startswith("First Citizen")

    def test_resume_continues_from_the_last_checkpoint(self, tmp_path, corpus_file):
        train(small_config(tmp_path, corpus_file), log=lambda *_: None)
        checkpoints = tmp_path / "checkpoints" / "shakespeare_char"
        state = json.load(open(checkpoints / "checkpoint" / "training_state.json"))
        assert state["epoch"] == 0 and state["best_epoch"] == 0 and state["position"] == state["steps_per_epoch"]
        assert (checkpoints / "checkpoint" / "best_weights.npz").exists()
        assert list((tmp_path / "runs" / "shakespeare_char" / "train").iterdir())  # TensorBoard events
        messages = []
        result = train(small_config(tmp_path, corpus_file, "training.epochs=2"), resume=True,
                                      log=messages.append)
        assert any("Resuming shakespeare_char from epoch 1" in m for m in messages)
        assert len(result["metrics"]["history"]) == 2 and result["metrics"]["epochs_run"] == 2

    def test_windows_pipeline_trains_and_samples_despite_an_unfit_prompt(self, tmp_path, corpus_file):
        lowercase = tmp_path / "lower.txt"
        lowercase.write_text(open(corpus_file).read().lower())  # the config's "ROMEO:" prompt cannot be encoded
        config = small_config(tmp_path, str(lowercase), "training.pipeline=windows", "model.cell_type=gru")
        messages = []
        result = train(config, log=messages.append)
        assert result["metrics"]["validation"]["loss"] < np.log(result["metrics"]["vocabulary_size"])
        assert any("has characters outside this vocabulary ('R', 'O', 'M', 'E'); the model reads them as <unk>" in m
                   for m in messages)
        assert result["metrics"]["sample"].startswith("ROMEO:\n") and os.path.isdir(result["directory"])

    def test_a_backward_model_learns_the_text_right_to_left(self, tmp_path, corpus_file):
        config = small_config(tmp_path, corpus_file, "model.reverse=true", "training.epochs=2", "name=backward")
        result = train(config, log=lambda *_: None)
        model, tokenizer, saved = load_model_directory(result["directory"])
        assert model.reverse and saved.model.reverse
        assert "A backward (right-to-left) 1-layer LSTM" in open(os.path.join(result["directory"], "MODEL_CARD.md")).read()
        valid = [("corpus", open(corpus_file).read()[-3000:])]
        assert encode_texts(tokenizer, valid, reverse=True) == encode_texts(tokenizer, valid)[::-1]
        read = lambda reverse: evaluate_language_model(  # noqa: E731
            model, encode_texts(tokenizer, valid, reverse=reverse), batch_size=2, sequence_length=20)["loss"]
        assert read(True) < read(False)
        # Fine-tuning starts from the base model's direction whatever the new config says.
        tuned = small_config(tmp_path, corpus_file, "name=tuned_backward")
        tuned_result = train(tuned, init_from=result["directory"], log=lambda *_: None)
        assert load_model_directory(tuned_result["directory"])[0].reverse
        before = tuned_result["metrics"]["validation_before_fine_tuning"]["loss"]
        assert before == pytest.approx(result["metrics"]["validation"]["loss"], rel=1e-4)

    def test_fine_tuning_keeps_tokenizer_and_reports_before_and_after(self, tmp_path, corpus_file):
        base = train(small_config(tmp_path, corpus_file), log=lambda *_: None)["directory"]
        custom = tmp_path / "custom.txt"
        custom.write_text(open(corpus_file).read()[5000:15000])
        config = small_config(tmp_path, str(custom), "name=tuned", "training.epochs=2")
        result = train(config, init_from=base, log=lambda *_: None)
        metrics = result["metrics"]
        assert metrics["validation"]["loss"] < metrics["validation_before_fine_tuning"]["loss"]
        assert open(os.path.join(result["directory"], "tokenizer.json")).read() == open(
            os.path.join(base, "tokenizer.json")).read()

    def test_strict_fine_tuning_on_text_outside_the_vocabulary_names_file_and_line(self, tmp_path, corpus_file):
        base = train(small_config(tmp_path, corpus_file), log=lambda *_: None)["directory"]
        custom = tmp_path / "custom.txt"
        custom.write_text("to be\nor not\nnaïve ☃ text\n" * 100)
        with pytest.raises(ValueError, match=r"custom.txt.*line 3: Characters \['ï', '☃'\]"):
            train(small_config(tmp_path, str(custom), "name=tuned", "training.strict_vocabulary=true",
                               "training.extend_vocabulary=false"), init_from=base, log=lambda *_: None)
        assert not (tmp_path / "saved" / "tuned").exists()
        # Without --strict the same corpus fine-tunes: the two characters (10 times each) join the vocabulary.
        result = train(small_config(tmp_path, str(custom), "name=tuned"), init_from=base, log=lambda *_: None)
        assert result["metrics"]["vocabulary_growth"]["added"] == ["ï", "☃"]


class StepDecayScheduleTest:
    def test_matches_zaremba_schedule(self):
        # TF PTB tutorial: lr * decay ** max(i + 1 - max_epoch, 0) with max_epoch = 4.
        schedule = step_decay_schedule(1.0, 0.5, 4)
        assert [schedule(epoch) for epoch in range(7)] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.25, 0.125]

    def test_step_schedule_sets_the_optimizer_rate(self, tmp_path, corpus_file):
        config = small_config(tmp_path, corpus_file, "training.lr_schedule=step", "training.lr_decay_start_epoch=1",
                              "training.epochs=2", "training.learning_rate=0.01")
        history = train(config, log=lambda *_: None)["metrics"]["history"]
        assert [round(h["learning_rate"], 6) for h in history] == [0.01, 0.005]


class CheckpointCallbackTest:
    def test_crash_during_save_keeps_the_previous_checkpoint(self, tmp_path, monkeypatch):
        model = CarriedStateModel(LanguageModel(10, embedding_dim=4, hidden_dim=4, num_layers=1), batch_size=2)
        model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ids = np.ones((4, 5), "int32")
        callback = CheckpointCallback(str(tmp_path), watched=[])
        model.fit(ids, ids, batch_size=2, epochs=1, verbose=0, callbacks=[callback])
        before = (tmp_path / "checkpoint" / "last.keras").read_bytes()

        def crashing_save(self, filepath, *args, **kwargs):
            with open(filepath, "wb") as handle:
                handle.write(b"partial")
            raise KeyboardInterrupt("killed mid-save")

        monkeypatch.setattr(keras.Model, "save", crashing_save)
        with pytest.raises(KeyboardInterrupt):
            model.fit(ids, ids, batch_size=2, epochs=2, initial_epoch=1, verbose=0, callbacks=[callback])
        assert (tmp_path / "checkpoint" / "last.keras").read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]
        assert sorted(p.name for p in (tmp_path / "checkpoint").iterdir()) == [
            "last.keras", "resume_arrays.npz", "training_state.json"]

    def test_resumed_run_gets_back_the_best_weights(self, tmp_path):
        model = CarriedStateModel(LanguageModel(10, embedding_dim=4, hidden_dim=4, num_layers=1), batch_size=2)
        model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ids = np.ones((4, 5), "int32")
        stopper = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        callback = CheckpointCallback(str(tmp_path), watched=[stopper], early_stopping=stopper)
        model.fit(ids, ids, batch_size=2, epochs=1, verbose=0, validation_data=(ids, ids),
                  callbacks=[stopper, callback])
        best = [np.array(w) for w in stopper.best_weights]
        restored_model, state = restore_training_state(str(tmp_path))
        resumed_stopper = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        resumed = CheckpointCallback(str(tmp_path), watched=[resumed_stopper], early_stopping=resumed_stopper)
        resumed.restored = state
        resumed_stopper.on_train_begin()
        resumed.set_model(restored_model)
        resumed.on_train_begin()
        assert resumed_stopper.best == pytest.approx(stopper.best)
        for a, b in zip(resumed_stopper.best_weights, best, strict=True):
            np.testing.assert_array_equal(a, b)
