"""Fuzzing `--set` and config files (hypothesis): any text gives a config or a ConfigError that names where
it came from; no other exception."""

import yaml
from hypothesis import given
from hypothesis import strategies as st

from seqtk.tasks import get_task, task_names
from seqtk.training.config import ConfigError

KEYS = st.sampled_from(["name", "training.epochs", "training.learning_rate", "training.on_nan", "model.hidden_dim",
                        "data.train", "tokenizer.kind", "training", "training.epochs.x", "nope", "", "."])
VALUES = st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                   st.lists(st.text(max_size=5), max_size=3)).map(lambda v: yaml.safe_dump(v).strip())


@given(task=st.sampled_from(sorted(task_names())), key=KEYS | st.text(max_size=30), value=VALUES | st.text())
def test_set_gives_a_config_or_a_config_error(task, key, value):
    override = f"{key}={value}"
    try:
        get_task(task).load_config(None, overrides=[override])
    except ConfigError as error:
        assert str(error).startswith("--set ")


@given(document=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "data", "model", "training", "tokenizer", "epochs", "hidden_dim", "kind", "x"])
        | st.text(max_size=8), children, max_size=4),
    max_leaves=12) | st.text(max_size=200))
def test_config_file_gives_a_config_or_a_config_error(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("config") / "fuzz.yaml"
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document), encoding="utf-8")
    try:
        get_task("lm").load_config(str(path))
    except ConfigError as error:
        assert str(path) in str(error)
