"""The tagger's config: its rules between values, checked once by `validate`."""

import pytest

from seqtk.errors import ConfigError
from seqtk.tasks.tagger_config import TaggerConfig


class TaggerConfigTest:
    @pytest.mark.parametrize("change,message", [
        (lambda c: setattr(c.tokenizer, "kind", "char"), "a tagger reads whole tokens, so tokenizer.kind must be word"),
        (lambda c: setattr(c.tokenizer, "normalize", ["split_punctuation"]), "split_punctuation would split tokens"),
        (lambda c: (setattr(c.data, "scheme", "none"), setattr(c.training, "monitor", "val_f1")),
         "monitor val_accuracy, or set data.scheme"),
    ])
    def test_settings_that_cannot_work_together_are_refused(self, change, message):
        config = TaggerConfig()
        config.validate()
        change(config)
        with pytest.raises(ConfigError, match=message):
            config.validate("mine.yaml")

    def test_scheme_names_are_read_in_any_case(self):
        from seqtk.tasks import get_task

        config = get_task("tagger").load_config(None, overrides=["data.scheme=bioes", "data.train_scheme=bio"])
        assert (config.data.scheme, config.data.train_scheme) == ("BIOES", "BIO")
