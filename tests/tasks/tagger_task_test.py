import io
import json
import random

import pytest

from seqtk.cli import main
from seqtk.data.tag_schemes import spans
from seqtk.data.tagged_text import read_tagged, read_tagged_jsonl
from seqtk.errors import ConfigError, DataError
from seqtk.models import SequenceTagger
from seqtk.predictors import load
from seqtk.tasks import evaluate, get_task, load_config, load_model_directory, train
from seqtk.tasks.tagger import sentence_tagger
from seqtk.tokenizers import WordCharTokenizer

pytestmark = pytest.mark.large

PEOPLE = ["Angela Merkel", "Martin Luther King", "Barack Obama", "Marie Curie", "Alan Turing", "Ada Lovelace", "Nelson Mandela"]
PLACES = ["Paris", "Berlin", "Nairobi", "Lima", "Oslo", "Kyoto", "Cairo", "Quebec"]
ORGANIZATIONS = ["Acme Corp", "United Nations", "Red Cross", "Boeing", "Siemens AG"]
FILLER = "the a visited met with in near said that on Monday and for talks about".split()


def ner_sentences(count, seed):
    """Sentences of names, places and organizations among filler words, tagged in IOB1 as CoNLL-2003 is:
    an entity opens with I-, and B- marks one that directly follows another of its type."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        tokens, tags = [], []
        for _ in range(rng.randint(2, 4)):
            tokens.append(rng.choice(FILLER))
            tags.append("O")
            kind, names = rng.choice([("PER", PEOPLE), ("LOC", PLACES), ("ORG", ORGANIZATIONS)])
            for repeat in range(2 if rng.random() < 0.15 else 1):  # two adjacent entities of one type
                words = rng.choice(names).split()
                tokens += words
                tags += [f"{'B' if repeat and i == 0 else 'I'}-{kind}" for i in range(len(words))]
        tokens.append(".")
        tags.append("O")
        sentences.append((tokens, tags))
    return sentences


def write_columns(path, sentences):
    """A CoNLL-2003-style file: -DOCSTART-, then `word POS chunk NER` lines, blank lines between sentences."""
    lines = ["-DOCSTART- -X- -X- O", ""]
    for tokens, tags in sentences:
        lines += [f"{word} NNP I-NP {tag}" for word, tag in zip(tokens, tags, strict=True)] + [""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def ner_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("ner")
    return {"train": write_columns(root / "train.txt", ner_sentences(240, seed=1)),
            "dev": write_columns(root / "dev.txt", ner_sentences(60, seed=2))}


def tagger_config(tmp_path, files, *extra):
    return load_config("conll2003_ner", task="tagger", overrides=[
        f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
        f"data.train=[{files['train']}]", f"data.validation=[{files['dev']}]", "data.scheme=auto",
        "model.embedding_dim=16", "model.char_embedding_dim=8", "model.char_hidden_dim=8", "model.hidden_dim=24",
        "model.input_dropout=0.1", "training.batch_size=16", "training.epochs=6", "training.learning_rate=0.01",
        "training.time_budget_minutes=0", "training.verbose=0", *extra])


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory, ner_files):
    tmp_path = tmp_path_factory.mktemp("model")
    logs = []
    result = train(tagger_config(tmp_path, ner_files), log=logs.append)
    return result, logs


class NerTaggerTest:
    def test_learns_entities_in_bioes_from_iob1_files_and_writes_iob1(self, ner_model, ner_files):
        result, logs = ner_model
        model, tokenizer, config = load_model_directory(result["directory"], task="tagger")
        assert isinstance(model, SequenceTagger) and isinstance(tokenizer, WordCharTokenizer)
        assert any(line.startswith("Tag scheme: IOB1") for line in logs)  # read from the B-/I- layout
        assert config.data.scheme == "IOB1" and config.tags[0] == "O"
        assert {t.split("-")[0] for t in config.tags[1:]} == {"B", "I", "E", "S"}  # trained in BIOES
        report = result["metrics"]["validation"]
        assert report["entities"]["f1"] > 0.9 and report["accuracy"] > 0.95
        assert set(report["entities"]["per_type"]) == {"PER", "LOC", "ORG"}
        assert "val_f1" in result["metrics"]["history"][0]

        gold = read_tagged([ner_files["dev"]])
        tagged = [r["tags"] for r in load(result["directory"]).tag([s.tokens for s in gold])]
        assert not {t.split("-")[0] for tags in tagged for t in tags} - {"O", "B", "I"}  # IOB1 again
        for tags in tagged:
            spans(tags, "IOB1", strict=True)  # every sequence is valid IOB1
        # The same entities as the report counted: the tags as seqtk tag writes them score the reported F1.
        from seqtk.metrics.tagging import entity_scores

        assert entity_scores([s.tags for s in gold], tagged)["f1"] == pytest.approx(report["entities"]["f1"])

    def test_evaluate_reads_the_files_scheme_and_gives_the_same_scores(self, ner_model, ner_files, tmp_path):
        result, _ = ner_model
        _, report = evaluate(result["directory"], [ner_files["dev"]])
        assert report["entities"]["f1"] == pytest.approx(result["metrics"]["validation"]["entities"]["f1"])
        # The dev set rewritten in BIOES, as JSON lines: the same entities, so the same scores.
        from seqtk.data.tag_schemes import convert

        bioes = tmp_path / "dev.jsonl"
        bioes.write_text("".join(json.dumps({"tokens": list(s.tokens), "tags": convert(s.tags, "IOB1", "BIOES")})
                                 + "\n" for s in read_tagged([ner_files["dev"]])), encoding="utf-8")
        _, again = evaluate(result["directory"], [str(bioes)])
        assert again["entities"]["f1"] == pytest.approx(report["entities"]["f1"])

    def test_a_sentence_gets_the_same_tags_alone_as_in_a_padded_batch(self, ner_model, ner_files):
        model, tokenizer, config = load_model_directory(ner_model[0]["directory"], task="tagger")
        tagger = sentence_tagger(model, tokenizer, config)
        sentences = [s.tokens for s in read_tagged([ner_files["dev"]])]
        together = tagger.tag(sentences, batch_size=64)
        assert [tagger.tag([s], batch_size=1)[0] for s in sentences[:20]] == together[:20]

    def test_seqtk_tag_prints_slash_conll_and_json_lines(self, ner_model, capsys, monkeypatch, tmp_path):
        directory = ner_model[0]["directory"]
        assert main(["tag", "--model", directory, "Angela Merkel visited Paris ."]) == 0
        words = capsys.readouterr().out.split()
        assert [w.rsplit("/", 1)[0] for w in words] == ["Angela", "Merkel", "visited", "Paris", "."]
        assert [w.rsplit("/", 1)[1] for w in words] == ["I-PER", "I-PER", "O", "I-LOC", "O"]
        monkeypatch.setattr("sys.stdin", io.StringIO("Alan Turing met Boeing .\n\nin Oslo .\n"))
        assert main(["tag", "--model", directory, "--format", "conll"]) == 0
        blocks = capsys.readouterr().out.strip("\n").split("\n\n")
        assert len(blocks) == 2 and blocks[1].split("\n") == ["in\tO", "Oslo\tI-LOC", ".\tO"]
        path = tmp_path / "input.txt"
        path.write_text("Marie Curie visited Kyoto .\n", encoding="utf-8")
        assert main(["tag", "--model", directory, "--input", str(path), "--format", "jsonl"]) == 0
        output = tmp_path / "tagged.jsonl"
        output.write_text(capsys.readouterr().out, encoding="utf-8")
        sentence, = read_tagged_jsonl(str(output))  # what seqtk tag writes, seqtk reads back as data
        assert sentence.tokens == ("Marie", "Curie", "visited", "Kyoto", ".")
        assert sentence.tags == ("I-PER", "I-PER", "O", "I-LOC", "O")


class TaggerInputTest:
    def test_an_invalid_sequence_is_read_as_conlleval_does_or_refused_when_strict(self, ner_files, tmp_path):
        bad = tmp_path / "bad.txt"
        # BIO data where an I-LOC follows O (line 4): conlleval opens an entity there.
        bad.write_text("Paris B-LOC\nis O\nin O\nFrance I-LOC\n\nOslo B-LOC\n", encoding="utf-8")
        task = get_task("tagger")
        config = task.load_config(None, overrides=[f"data.train=[{bad}]", f"data.validation=[{bad}]",
                                                    "data.scheme=BIO", "data.strict_scheme=true"])
        with pytest.raises(DataError, match=rf"{bad}, line 1: token 4: 'I-LOC' continues no entity of its type "
                                            "under BIO"):
            task.read_data(config, print)
        logs = []
        config.data.strict_scheme = False
        train_data = task.read_data(config, logs.append).train
        assert train_data[0].tags == ("B-LOC", "O", "O", "B-LOC")  # read as conlleval reads it
        assert any(line.startswith(f"1 sentence(s) have tags BIO does not allow where they stand ({bad}, line 1)")
                   for line in logs)

    def test_validation_tags_the_training_data_lacks_are_listed_with_counts(self, ner_files, tmp_path):
        dev = tmp_path / "dev.txt"
        dev.write_text("Acme I-ORG\nsells O\nWidgets I-PRODUCT\nand O\nGadgets I-PRODUCT\n", encoding="utf-8")
        task = get_task("tagger")
        config = task.load_config("conll2003_ner", overrides=[f"data.train=[{ner_files['train']}]",
                                                              f"data.validation=[{dev}]"])
        logs = []
        task.read_data(config, logs.append)
        assert any(line.startswith(f"Warning: {dev}, line 1 and after: validation tags the training data never "
                                   "has: S-PRODUCT (2)") for line in logs)  # in BIOES, as trained

    def test_evaluating_on_the_wrong_tag_column_is_an_error(self, ner_model, tmp_path):
        pos = tmp_path / "pos.conllu"
        pos.write_text("1\tParis\t_\tPROPN\tNNP\t_\t_\t_\t_\t_\n2\t.\t_\tPUNCT\t.\t_\t_\t_\t_\t_\n", encoding="utf-8")
        with pytest.raises(DataError, match=rf"{pos}, line 1: the gold tags \(PROPN, PUNCT\) are not entity tags, "
                                            "but the model tags entities .*Set --tag-column"):
            evaluate(ner_model[0]["directory"], [str(pos)])


    def test_a_part_of_speech_model_on_another_column_is_an_error_and_on_its_own_scores(self, tmp_path):
        sample = read_tagged(["bundled:ud_ewt_sample_dev"])[:40]
        conllu = tmp_path / "dev.conllu"
        conllu.write_text("".join("".join(f"{i}\t{w}\t_\t{t}\t{t}X\t_\t_\t_\t_\t_\n" for i, (w, t)
                                          in enumerate(zip(s.tokens, s.tags, strict=True), start=1)) + "\n"
                                  for s in sample), encoding="utf-8")
        config = load_config("ud_ewt_sample", task="tagger", overrides=[
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            f"data.train=[{conllu}]", f"data.validation=[{conllu}]", "model.embedding_dim=8",
            "model.char_hidden_dim=4", "model.hidden_dim=8", "training.epochs=1", "training.verbose=0"])
        result = train(config, log=lambda *a: None)
        directory = result["directory"]
        assert result["config"].data.scheme == "none" and config.data.scheme == "auto"  # resolved, not rewritten
        with pytest.raises(DataError, match=rf"{conllu}, line 1: none of the gold tags is one the model was trained "
                                            r"on \(the file has .*X.*\). Is it the right tag column\?"):
            evaluate(directory, [str(conllu)], tag_column="xpos")
        _, report = evaluate(directory, [str(conllu)])  # upos, as the model was trained
        assert report["tokens"] == sum(len(s.tokens) for s in sample) and "entities" not in report

    @pytest.mark.parametrize("overrides,message", [
        (["tokenizer.kind=char"], "a tagger reads whole tokens, so tokenizer.kind must be word"),
        (["tokenizer.normalize=[split_punctuation]"], "split_punctuation would split tokens"),
        (["data.scheme=none", "training.monitor=val_f1"], "monitor val_accuracy"),
        (["data.train_scheme=bioes", "data.scheme=none"], None),
    ])
    def test_settings_that_cannot_work_are_refused(self, overrides, message, tmp_path):
        task = get_task("tagger")
        if message is None:  # converting plain tags: refused once the data is read
            config = task.load_config(None, overrides=overrides)
            with pytest.raises(ConfigError, match="data.train_scheme and data.output_scheme convert entity tags"):
                task.read_data(config, print)
            return
        with pytest.raises(ConfigError, match=message):
            task.load_config(None, overrides=overrides).validate()

    def test_a_blank_sentence_to_tag_is_an_error_naming_it(self, ner_model):
        with pytest.raises(DataError, match="argument 2: no tokens to tag"):
            load(ner_model[0]["directory"]).tag([["Paris"], []], locations=["argument 1", "argument 2"])


class TransferTest:
    def test_starts_from_a_word_language_model_and_grows_its_vocabulary(self, ner_files, tmp_path):
        import numpy as np

        from seqtk.tokenizers import WordTokenizer

        text = tmp_path / "news.txt"
        text.write_text("".join(" ".join(tokens) + "\n" for tokens, _ in ner_sentences(150, seed=7)),
                        encoding="utf-8")
        lm_overrides = [f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints",
                        f"log_dir={tmp_path}/runs", f"data.train=[{text}]", "tokenizer.kind=word",
                        "tokenizer.vocabulary_size=30", "model.embedding_dim=12", "model.hidden_dim=16",
                        "model.num_layers=1", "model.tie_weights=false", "training.batch_size=4",
                        "training.sequence_length=10", "training.epochs=1", "training.verbose=0",
                        "training.eval_batch_size=2", "sample_length=3"]
        forward = train(load_config(None, overrides=["name=fwd", *lm_overrides]), log=lambda *a: None)
        backward = train(load_config(None, overrides=["name=bwd", "model.reverse=true", *lm_overrides]),
                         log=lambda *a: None)
        lm = forward["model"]
        logs = []
        config = tagger_config(tmp_path, ner_files, "training.epochs=1", f"init_from_backward={backward['directory']}",
                               "training.extend_min_count=2")
        result = get_task("tagger").train(config, init_from=forward["directory"], log=logs.append)
        model, tokenizer, saved = load_model_directory(result["directory"], task="tagger")
        assert saved.init_from == forward["directory"] and saved.model.embedding_dim == 2 * 12  # both models
        assert saved.model.hidden_dim == 16 and isinstance(tokenizer.words, WordTokenizer)
        assert any(line.startswith(f"Transferred from {forward['directory']} and") for line in logs)
        growth = result["metrics"]["vocabulary_growth"]  # words of the tagged data the language model lacked
        assert growth["base"] == lm.vocabulary_size and growth["added"]

        # Before training, each direction computes what its language model computes.
        from seqtk.models import SequenceTagger

        fresh = SequenceTagger.from_language_model(lm, 9, backward=backward["model"], char_vocabulary_size=5,
                                                   char_hidden_dim=3)
        both = fresh.word_embedding.embeddings.numpy()  # each word: the forward model's vector, the backward's
        np.testing.assert_array_equal(both[:, :12], lm.embedding.embeddings.numpy())
        np.testing.assert_array_equal(both[:, 12:], backward["model"].embedding.embeddings.numpy())
        ids = np.array([[3, 5, 7, 2]], "int32")
        chars = np.array([[[1, 2], [2, 0], [3, 1], [4, 4]]], "int32")
        vectors = np.concatenate([fresh.word_embedding(ids).numpy(), fresh.spell(chars[0]).numpy()[None]], axis=-1)
        tagger_states, _ = fresh.recurrent(vectors)
        lm_states, _ = lm.recurrent(lm.embedding(ids))
        np.testing.assert_allclose(tagger_states[..., :16], lm_states, atol=1e-5)
        # The backward direction is the backward model, which reads the sentence reversed.
        reversed_states, _ = backward["model"].recurrent(backward["model"].embedding(ids[:, ::-1]))
        np.testing.assert_allclose(tagger_states[..., 16:], np.asarray(reversed_states)[:, ::-1], atol=1e-5)

    def test_a_character_language_model_is_refused(self, ner_files, tmp_path):
        text = tmp_path / "news.txt"
        text.write_text("Paris is nice .\n" * 50, encoding="utf-8")
        lm = train(load_config(None, overrides=[
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            f"data.train=[{text}]", "tokenizer.kind=char", "model.embedding_dim=4", "model.hidden_dim=4",
            "model.num_layers=1", "training.batch_size=2", "training.sequence_length=10", "training.epochs=1",
            "training.steps_per_epoch=1", "training.verbose=0", "training.eval_batch_size=1", "sample_length=2"]),
            log=lambda *a: None)
        with pytest.raises(ConfigError, match="a char language model; a tagger gives one tag per word"):
            get_task("tagger").train(tagger_config(tmp_path, ner_files), init_from=lm["directory"],
                                     log=lambda *a: None)

    def test_fine_tunes_a_saved_tagger_in_its_own_scheme_and_refuses_new_tags(self, ner_model, tmp_path):
        base = ner_model[0]["directory"]
        mine = tmp_path / "mine.jsonl"  # BIO, while the base model learnt BIOES from IOB1 files
        mine.write_text("".join(json.dumps({"tokens": ["Grace", "Hopper", "visited", "Oslo", "."],
                                            "tags": ["B-PER", "I-PER", "O", "B-LOC", "O"]}) + "\n"
                                for _ in range(20)), encoding="utf-8")
        config = get_task("tagger").load_config(None, overrides=[
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            f"data.train=[{mine}]", f"data.validation=[{mine}]", "name=tuned", "training.epochs=5",
            "training.learning_rate=0.01", "training.lr_schedule=constant",
            "training.verbose=0", "training.extend_min_count=1"])
        result = get_task("tagger").train(config, init_from=base, log=lambda *a: None)
        _, tokenizer, saved = load_model_directory(result["directory"], task="tagger")
        _, _, original = load_model_directory(base, task="tagger")
        assert saved.tags == original.tags and saved.data.train_scheme == "BIOES"  # trained in the base's scheme
        assert "grace" in tokenizer.words.token_index  # its vocabulary grew with the new words
        assert load(result["directory"]).tag([["Grace", "Hopper", "visited", "Oslo", "."]])[0]["tags"] == [
            "B-PER", "I-PER", "O", "B-LOC", "O"]  # written in the new data's scheme

        mine.write_text(json.dumps({"tokens": ["Acme", "Widget"], "tags": ["B-ORG", "B-PRODUCT"]}) + "\n",
                        encoding="utf-8")
        with pytest.raises(ConfigError, match="tags S-PRODUCT are not among the tags of .*fine-tuning keeps"):
            get_task("tagger").train(config, init_from=base, log=lambda *a: None)
