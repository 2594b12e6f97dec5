import json

import pytest
import yaml

from seqtk.tasks import available_configs, fine_tuning_config, load_config


class ConfigTest:
    def test_named_configs_load(self):
        assert {"shakespeare_char", "ptb_small", "ptb_medium", "wikitext2_awd"} <= set(available_configs())
        small = load_config("ptb_small")
        assert (small.model.hidden_dim, small.model.num_layers, small.training.sequence_length) == (200, 2, 20)
        # Zaremba's lr 1 / clip 5 on a loss summed over 20 steps = lr 20 / clip 0.25 on a per-token mean.
        assert (small.training.batch_size, small.training.optimizer, small.training.learning_rate) == (20, "sgd", 20.0)
        assert small.training.clipnorm == 0.25
        assert (small.training.lr_schedule, small.training.lr_decay_start_epoch) == ("step", 4)
        assert load_config("ptb_medium").model.dropout == 0.5
        tagger = {name: load_config(name, task="tagger") for name in available_configs("tagger")}
        assert set(tagger) == {"ud_ewt_sample", "ud_ewt_upos", "conll2003_ner", "conll2003_ner_transfer"}
        # The files' IOB1 or tfds's BIO, read from the data; learned in BIOES either way.
        assert (tagger["conll2003_ner"].data.scheme, tagger["conll2003_ner"].data.train_scheme) == ("auto", "BIOES")
        transfer = tagger["conll2003_ner_transfer"]
        assert transfer.init_from + "_backward" == transfer.init_from_backward  # the two WikiText-2 models
        awd = load_config("wikitext2_awd")
        assert awd.model.tie_weights and awd.model.weight_dropout == 0.5

    @pytest.mark.parametrize("forward,backward,task", [
        ("imdb", "imdb_backward", "lm"), ("sst2", "sst2_backward", "lm"), ("wikitext2_small", "wikitext2_small_backward", "lm"),
        ("imdb_ulmfit", "imdb_ulmfit_backward", "classifier"), ("sst2_ulmfit", "sst2_ulmfit_backward", "classifier"),
    ])
    def test_backward_twins_differ_from_their_forward_config_in_direction_only(self, forward, backward, task):
        one, two = (load_config(name, task=task).to_dict() for name in (forward, backward))
        assert one["data"] == two["data"] and one["training"] == two["training"]
        assert {**one["model"], "reverse": True} == {**two["model"], "reverse": True}
        assert two["name"] == one["name"] + "_backward"
        if task == "lm" and one["tokenizer"].get("kind") == "sentencepiece":
            # The backward model reads the forward model's pieces, so the two classifiers can be compared.
            assert two["tokenizer"]["model_file"] == f"{one['output_dir']}/{one['name']}/sentencepiece.model"
        if task == "classifier":
            assert two["init_from"] == one["init_from"] + "_backward"

    def test_overrides_and_data_replace_the_corpus(self, tmp_path):
        config = load_config("ptb_small", overrides=["training.epochs=2", "model.cell_type=gru",
                                                     "model.hidden_dim=[64, 32]"], data=["mine.txt"])
        assert config.training.epochs == 2 and config.model.cell_type == "gru"
        assert config.model.hidden_dim == [64, 32]
        assert config.data.train == ["mine.txt"] and config.data.validation == []

    def test_unknown_key_names_the_file_and_valid_keys(self, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_text("model:\n  hiden_dim: 10\n")
        with pytest.raises(ValueError, match=r"bad.yaml: unknown config key 'model.hiden_dim'.*hidden_dim"):
            load_config(str(path))
        with pytest.raises(ValueError, match=r"--set training.epoch=3: unknown config key 'training.epoch'"):
            load_config(None, overrides=["training.epoch=3"])

    def test_wrong_type_and_missing_config(self):
        with pytest.raises(ValueError, match="training.epochs takes a int; received 'many'"):
            load_config(None, overrides=["training.epochs=many"])
        with pytest.raises(FileNotFoundError, match="Named configs: .*shakespeare_char"):
            load_config("no_such_config")


def test_a_size_or_list_field_takes_either_over_the_other():
    from seqtk.tasks import load_config

    config = load_config("wikitext2_awd", overrides=["model.hidden_dim=256"])
    assert config.model.hidden_dim == 256
    assert load_config(overrides=["model.hidden_dim=[64, 32]"]).model.hidden_dim == [64, 32]
    assert load_config(task="classifier", overrides=["data.text_column=2"]).data.text_column == 2


class FineTuningConfigTest:
    @pytest.fixture
    def base(self, tmp_path):
        """A saved model's folder as far as configs go: its config.yaml, written where it was saved."""
        directory = tmp_path / "saved" / "shakespeare_char"
        directory.mkdir(parents=True)
        overrides = [f"output_dir={tmp_path}/saved", "model.hidden_dim=32"]
        config = load_config("shakespeare_char", overrides=overrides)
        (directory / "config.yaml").write_text(yaml.safe_dump(config.to_dict()), encoding="utf-8")
        return str(directory)

    def test_without_a_config_the_base_settings_under_a_new_name(self, base, tmp_path):
        config = fine_tuning_config(base, data=["mine.txt"])
        assert config.name == "shakespeare_char_finetuned" and config.model.hidden_dim == 32
        assert config.data.train == ["mine.txt"]

    def test_a_config_keeps_its_name_unless_it_would_overwrite_the_base(self, base, tmp_path):
        stage2 = tmp_path / "stage2.yaml"
        stage2.write_text(f"name: stage2_lm\noutput_dir: {tmp_path}/saved\n", encoding="utf-8")
        assert fine_tuning_config(base, str(stage2)).name == "stage2_lm"
        same = fine_tuning_config(base, "shakespeare_char", [f"output_dir={tmp_path}/saved"])
        assert same.name == "shakespeare_char_finetuned"
        # Elsewhere, the same name writes no harm: kept.
        elsewhere = fine_tuning_config(base, "shakespeare_char", [f"output_dir={tmp_path}/other"])
        assert elsewhere.name == "shakespeare_char"
        assert fine_tuning_config(base, overrides=["name=mine"]).name == "mine"

    def test_a_folder_without_config_is_named_in_the_error(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="no config.yaml"):
            fine_tuning_config(str(tmp_path))


class CheckedValuesTest:
    def test_a_wrong_choice_names_the_file_the_key_and_the_allowed_values(self, tmp_path):
        path = tmp_path / "mine.yaml"
        path.write_text("training:\n  lr_schedule: cosine\n")
        with pytest.raises(ValueError, match=r"mine.yaml: training.lr_schedule must be one of plateau, step, "
                                             r"constant, slanted_triangular; received 'cosine'"):
            load_config(str(path))
        with pytest.raises(ValueError, match=r"--set data.truncation=middle: data.truncation must be one of "
                                             r"head, tail, head_tail"):
            load_config(None, overrides=["data.truncation=middle"], task="classifier")
        with pytest.raises(ValueError, match=r"model.dropout must be below 1.0; received 1.5"):
            load_config(None, overrides=["model.dropout=1.5"], task="translator")
        with pytest.raises(ValueError, match=r"training.batch_size must be at least 1; received 0"):
            load_config(None, overrides=["training.batch_size=0"])

    def test_a_config_built_in_python_is_checked_before_training(self, tmp_path):
        from seqtk.tasks import train

        config = load_config(None, task="classifier")
        config.training.optimizer = "adagrad"
        with pytest.raises(ValueError, match=r"training.optimizer must be one of adam, sgd, adamw, rmsprop"):
            train(config)
        assert not (tmp_path / "saved_models").exists()

    def test_a_saved_config_names_its_task(self, tmp_path):
        path = tmp_path / "config.yaml"
        path.write_text("task: translator\nname: x\n")
        with pytest.raises(ValueError, match="a config of the translator task; this is the lm task"):
            load_config(str(path))
        assert load_config(str(path), task="translator").name == "x"

    def test_old_names_say_where_they_went(self):
        import seqtk.training

        with pytest.raises(AttributeError, match=r"train_language_model has moved: use seqtk.tasks.train"):
            seqtk.training.train_language_model  # noqa: B018


class MixedPrecisionTest:
    @pytest.mark.parametrize("written,meant", [("true", "bfloat16"), ("false", "none"), ("float16", "float16"),
                                               ("bfloat16", "bfloat16"), ("none", "none")])
    def test_earlier_true_and_false_mean_bfloat16_and_none(self, written, meant, tmp_path):
        assert load_config(None, overrides=[f"training.mixed_precision={written}"]).training.mixed_precision == meant
        saved = tmp_path / "config.yaml"
        saved.write_text(f"training:\n  mixed_precision: {written}\n")
        assert load_config(str(saved)).training.mixed_precision == meant

    def test_a_config_built_in_python_is_checked_with_the_same_aliases(self):
        from seqtk.training.config import ConfigError, check_fields

        config = load_config(None)
        config.training.mixed_precision = True
        check_fields(config)
        assert config.training.mixed_precision == "bfloat16"
        config.training.mixed_precision = "half"
        with pytest.raises(ConfigError, match="training.mixed_precision must be one of none, float16, bfloat16; "
                                              "received 'half'"):
            check_fields(config)

    def test_float16_on_a_tpu_is_refused_before_anything_runs(self):
        from seqtk.training.runner import check_precision

        with pytest.raises(ValueError, match="TPUs compute in bfloat16, not float16; set "
                                             "training.mixed_precision=bfloat16"):
            check_precision("float16", {"CPU", "TPU"})
        check_precision("float16", {"CPU", "GPU"})
        check_precision("bfloat16", {"CPU", "TPU"})


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", "", "/abs", "a\\b"])
def test_a_name_that_leads_outside_the_output_folders_is_refused(name, tmp_path):
    from seqtk.tasks import get_task
    from seqtk.training.config import ConfigError

    config = tmp_path / "bad.yaml"
    config.write_text(f"name: {json.dumps(name)}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: name must be a plain folder name"):
        get_task("lm").load_config(str(config))


class ResolveConfigTest:
    def test_what_a_run_learns_goes_into_a_checked_copy(self):
        from seqtk.tasks import get_task
        from seqtk.training.config import ConfigError, resolve_config

        config = get_task("classifier").load_config(None)
        resolved = resolve_config(config, {"labels": ["neg", "pos"], "training.drop_remainder": True,
                                           "tokenizer": config.tokenizer.__class__(kind="char")}, "the data")
        assert resolved.labels == ["neg", "pos"] and resolved.training.drop_remainder is True
        assert resolved.tokenizer.kind == "char"
        assert config.labels == [] and config.training.drop_remainder is False and config.tokenizer.kind == "word"
        with pytest.raises(ConfigError, match="the data: training.batch_size must be at least 1"):
            resolve_config(config, {"training.batch_size": 0}, "the data")

    def test_rules_between_values_are_checked_by_validate(self):
        from seqtk.tasks import get_task
        from seqtk.training.config import ConfigError

        config = get_task("lm").load_config(None, overrides=["training.on_nan=rollback",
                                                             "training.lr_schedule=slanted_triangular"])
        with pytest.raises(ConfigError, match="on_nan=rollback halves the learning rate"):
            config.validate("mine.yaml")
        config = get_task("classifier").load_config(None, overrides=["data.validation=[]",
                                                                     "data.validation_fraction=0"])
        with pytest.raises(ConfigError, match="data.validation is empty, so data.validation_fraction"):
            config.validate()
