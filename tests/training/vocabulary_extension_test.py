"""Fine-tuning on a corpus with symbols the base model never saw: the vocabulary grows, nothing is lost."""

import hashlib
import json
import os
import pathlib
import shutil

import numpy as np
import pytest

from seqtk.tasks import get_task, load_model_directory, train_task
from seqtk.tokenizers import CharTokenizer
from seqtk.training.vocabulary_extension import extend_vocabulary

pytestmark = pytest.mark.large

# A character model saved before <unk> existed (tests/fixtures/README.md); the tests work on a copy.
LEGACY = os.path.join(os.path.dirname(__file__), "..", "fixtures", "shakespeare_char_legacy")
# Modern text: digits, brackets, symbols and quotes a Shakespeare character model has never seen.
MODERN = ("The 2019 season (its 25th) drew 41,000 fans — a record; tickets cost $15–20.\n"
          "Temperatures reached 38 °C on 12 July, and 4.5 mm of rain fell [source: MeteoFrance].\n"
          "Version 3.10 added 7 new features / 2 fixes; see https://example.org/notes #42.\n")


def digest(directory):
    """One hash over every file of a folder: proof that it was not touched."""
    result = hashlib.sha256()
    for root, _, files in sorted(os.walk(directory)):
        for name in sorted(files):
            result.update(name.encode())
            with open(os.path.join(root, name), "rb") as handle:
                result.update(handle.read())
    return result.hexdigest()


def folders(tmp_path):
    return [f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            "training.verbose=0", "training.time_budget_minutes=0"]


def fine_tune(base, corpus, tmp_path, *overrides, log=lambda *_: None, resume=False):
    """A short fine-tuning run of the language model `base` on `corpus`."""
    settings = folders(tmp_path) + ["training.epochs=1", "training.steps_per_epoch=2", "training.batch_size=8",
                                    "training.sequence_length=50", "sample_length=10", *overrides]
    return train_task("lm", data=[corpus], init_from=base, log=log, overrides=settings, resume=resume)


@pytest.fixture(scope="module")
def modern_corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "modern.txt"
    path.write_text(MODERN * 60, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    """A copy of a character model saved before characters had <unk>, 65 characters."""
    directory = tmp_path_factory.mktemp("base") / "shakespeare_char"
    shutil.copytree(LEGACY, directory)
    return str(directory)


class LanguageModelTest:
    def test_the_grown_model_gives_the_base_logits_for_text_without_new_symbols(self, base_model, modern_corpus):
        model, tokenizer, _ = load_model_directory(base_model, task="lm")
        assert tokenizer.unknown_id is None and tokenizer.vocabulary_size == 66
        sides = get_task("lm").texts_by_tokenizer(tokenizer, [(modern_corpus, open(modern_corpus).read())])
        logged = []
        grown, extended, growth = extend_vocabulary(model, tokenizer, sides, min_count=5, log=logged.append)
        assert {"0", "1", "2", "(", ")", "[", "/", "°", "—"} <= set(growth["added"])
        assert extended.characters[65] == "<unk>" and extended.unknown_id == 66  # <unk> first, then the new ones
        assert extended.vocabulary_size == 66 + 1 + len(growth["added"]) == grown.vocabulary_size
        assert "Vocabulary extended from 66 to" in logged[0]
        ids = np.array([tokenizer.encode("ROMEO:\nWhat light through yonder window breaks?")])
        assert extended.encode("ROMEO:") == tokenizer.encode("ROMEO:")
        np.testing.assert_array_equal(grown(ids).numpy()[..., :66], model(ids).numpy())
        assert model.vocabulary_size == 66  # the loaded base is left as it was

    def test_fine_tuning_grows_the_vocabulary_improves_perplexity_and_leaves_the_base_untouched(
            self, base_model, modern_corpus, tmp_path):
        before = digest(base_model)
        logged = []
        result = fine_tune(base_model, modern_corpus, tmp_path, "training.epochs=2", "training.steps_per_epoch=15",
                           "training.learning_rate=0.01", "training.eval_batch_size=4", log=logged.append)
        metrics = result["metrics"]
        assert digest(base_model) == before
        assert metrics["vocabulary_growth"]["base"] == 66 and metrics["vocabulary_size"] > 80
        assert metrics["unknown_symbols"]["training"]["unknown"] == 0  # every symbol seen 5+ times was added
        assert metrics["validation"]["perplexity"] < 0.5 * metrics["validation_before_fine_tuning"]["perplexity"]
        directory = result["directory"]
        assert directory.endswith("shakespeare_char_finetuned")
        model, tokenizer, _ = load_model_directory(directory, task="lm")
        assert model.vocabulary_size == tokenizer.vocabulary_size == metrics["vocabulary_size"]
        assert tokenizer.decode(tokenizer.encode("38 °C [2019]")) == "38 °C [2019]"
        card = pathlib.Path(directory, "MODEL_CARD.md").read_text(encoding="utf-8")
        assert "Vocabulary extended from 66 to" in card
        assert any(line.startswith("Vocabulary extended from 66") for line in logged)

    def test_without_extension_the_vocabulary_stays_and_unknown_symbols_are_reported(
            self, base_model, modern_corpus, tmp_path):
        logged = []
        result = fine_tune(base_model, modern_corpus, tmp_path, "training.extend_vocabulary=false", "name=kept",
                           log=logged.append)
        metrics = result["metrics"]
        assert metrics["vocabulary_size"] == 66 and "vocabulary_growth" not in metrics
        unknown = metrics["unknown_symbols"]["training"]
        assert unknown["unknown"] > 0 and "0" in unknown["most_frequent"]
        report = next(line for line in logged if line.startswith("Training data:"))
        assert "left out (this model has no unknown symbol)" in report
        assert any(line.startswith("Warning: ") and "--extend-vocabulary" in line for line in logged)

    def test_a_resumed_fine_tuning_keeps_its_vocabulary_and_says_what_it_added(self, base_model, modern_corpus,
                                                                                 tmp_path):
        first = fine_tune(base_model, modern_corpus, tmp_path, "name=resumed")
        logged = []
        second = fine_tune(base_model, modern_corpus, tmp_path, "name=resumed", "training.epochs=2", resume=True,
                           log=logged.append)
        assert any(line.startswith("Resuming resumed from epoch 1") for line in logged)
        assert not any(line.startswith("Vocabulary extended") for line in logged)  # grown once, then restored
        assert second["metrics"]["vocabulary_growth"] == first["metrics"]["vocabulary_growth"]
        assert second["metrics"]["vocabulary_size"] == first["metrics"]["vocabulary_size"]

    def test_strict_refuses_the_corpus_naming_file_and_line(self, base_model, modern_corpus, tmp_path):
        with pytest.raises(ValueError, match=rf"{modern_corpus}, line 1: Characters \[.*'0'.*\] are not in this "
                                             "model's vocabulary"):
            train_task("lm", data=[modern_corpus], init_from=base_model, log=lambda *_: None,
                       overrides=folders(tmp_path) + ["training.strict_vocabulary=true",
                                                      "training.extend_vocabulary=false"])
        assert not os.path.exists(tmp_path / "saved")


class ClassifierTest:
    @pytest.fixture(scope="class")
    def sentiment(self, tmp_path_factory):
        root = tmp_path_factory.mktemp("sentiment")
        rows = [("A 10/10 film (truly)!", "1"), ("Dull; 2 hours wasted.", "0"), ("Great fun, 5 stars.", "1"),
                ("Awful — 0 stars.", "0")] * 12
        for name, part in (("train", rows[:40]), ("dev", rows[40:])):
            (root / f"{name}.tsv").write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in part),
                                              encoding="utf-8")
        return root

    @staticmethod
    def transfer(base, sentiment, tmp_path, *overrides):
        return train_task("classifier", init_from=base, log=lambda *_: None, overrides=folders(tmp_path) + [
            f"data.train=[{sentiment}/train.tsv]", f"data.validation=[{sentiment}/dev.tsv]", "training.epochs=1",
            "training.batch_size=8", *overrides])

    def test_a_transferred_classifier_grows_the_language_model_vocabulary(self, base_model, sentiment, tmp_path):
        language_model, lm_tokenizer, _ = load_model_directory(base_model, task="lm")
        # A step too small to move the weights: the rows are as the transfer made them.
        result = self.transfer(base_model, sentiment, tmp_path, "training.extend_min_count=3", "name=cls",
                               "training.optimizer=sgd", "training.learning_rate=1e-9")
        growth = result["metrics"]["vocabulary_growth"]
        assert {"0", "1", "/", "(", ")"} <= set(growth["added"]) and growth["base"] == 66
        classifier, tokenizer, _ = load_model_directory(result["directory"], task="classifier")
        assert isinstance(tokenizer, CharTokenizer) and tokenizer.characters[:65] == lm_tokenizer.characters
        assert classifier.vocabulary_size == tokenizer.vocabulary_size == growth["extended"]
        rows, base_rows = classifier.embedding.embeddings.numpy(), language_model.embedding.embeddings.numpy()
        np.testing.assert_allclose(rows[:66], base_rows, atol=1e-6)
        np.testing.assert_allclose(rows[66:], np.repeat(base_rows[1:].mean(axis=0)[None], len(rows) - 66, axis=0),
                                   atol=1e-6)

    def test_a_classifier_transferred_from_a_grown_model_reads_its_symbols(self, base_model, modern_corpus,
                                                                            sentiment, tmp_path):
        grown = fine_tune(base_model, modern_corpus, tmp_path, "name=grown")["directory"]
        _, lm_tokenizer, _ = load_model_directory(grown, task="lm")
        result = self.transfer(grown, sentiment, tmp_path, "training.extend_vocabulary=false", "name=cls2")
        _, tokenizer, _ = load_model_directory(result["directory"], task="classifier")
        assert tokenizer.characters == lm_tokenizer.characters
        unknown = result["metrics"]["unknown_symbols"]["training"]
        assert unknown["unknown"] < 0.05 * unknown["symbols"]  # digits and brackets now have rows of their own
        metrics = json.loads(pathlib.Path(result["directory"], "metrics.json").read_text())
        assert "vocabulary_growth" not in metrics
