"""A model folder whose files were tampered with is refused at load with an error naming the file, and
nothing in it runs: a YAML tag that would call a function, a .keras config naming `os.system`, an export's
metadata pointing outside its folder; and (fuzzed) any config.yaml or metadata.json text."""

import json
import os
import shutil
import zipfile

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from seqtk.errors import ModelFolderError, SeqtkError
from seqtk.export.litert_model import LiteRTModel
from seqtk.models.model_directory import CONFIG_FILE, MODEL_FILE, read_yaml_file
from seqtk.tasks import get_task, load_model_directory

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")


@pytest.fixture
def folder(tmp_path):
    return shutil.copytree(LEGACY, tmp_path / "model")


class TamperedFolderTest:
    def test_a_yaml_tag_that_would_run_code_is_refused_naming_the_file(self, folder, tmp_path):
        marker = tmp_path / "ran"
        (folder / CONFIG_FILE).write_text(f"!!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
        with pytest.raises(ModelFolderError, match=rf"{folder / CONFIG_FILE}: not a seqtk config .*nothing in it was run"):
            load_model_directory(str(folder))
        assert not marker.exists()

    def test_a_keras_config_naming_os_system_is_refused_naming_the_file(self, folder, tmp_path):
        marker = tmp_path / "ran"
        path = folder / MODEL_FILE
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        config = json.loads(members["config.json"])
        config["config"]["layers"] = [{"module": "os", "class_name": "system", "config": {"command": f"touch {marker}"},
                                       "registered_name": "os>system"}]
        members["config.json"] = json.dumps(config).encode()
        config = json.loads(members["config.json"])
        config.update({"module": "os", "class_name": "system", "registered_name": "os>system"})
        members["config.json"] = json.dumps(config).encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        with pytest.raises(ModelFolderError, match=rf"{path}: not a model seqtk can load .*nothing in it was run"):
            load_model_directory(str(folder))
        assert not marker.exists()

    def test_an_unknown_task_in_the_config_is_named(self, folder):
        values = yaml.safe_load((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        (folder / CONFIG_FILE).write_text(yaml.safe_dump({**values, "task": "parser"}), encoding="utf-8")
        with pytest.raises(ModelFolderError, match=rf"{folder / CONFIG_FILE}: names the task 'parser'"):
            load_model_directory(str(folder))

    @pytest.mark.parametrize("metadata", ['{"file": "../../etc/passwd"}', '{"file": "/etc/passwd"}', "[1, 2]",
                                          '{"file": "model.tflite"', '{"file": "missing.tflite"}'])
    def test_an_exports_metadata_cannot_point_outside_its_folder(self, tmp_path, metadata):
        (tmp_path / "metadata.json").write_text(metadata, encoding="utf-8")
        with pytest.raises(ModelFolderError, match=rf"{tmp_path / 'metadata.json'}: "):
            LiteRTModel.from_directory(str(tmp_path))


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["task", "name", "data", "model", "training", "tokenizer", "labels", "hidden_dim", "x"])
        | st.text(max_size=8), children, max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(document=YAML_VALUES.map(yaml.safe_dump) | st.text(max_size=200)
       | st.sampled_from(["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "a: !!binary AAAA",
                          "&a [*a]", "- !!set {a, b}"]))
def test_any_config_yaml_gives_a_config_or_a_refusal_naming_it(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("model") / CONFIG_FILE
    path.write_text(document, encoding="utf-8")
    try:
        values = read_yaml_file(str(path))
        get_task("lm").config_from_dict({k: v for k, v in values.items() if k != "task"}, str(path))
    except SeqtkError as error:
        assert str(path) in str(error)


@settings(max_examples=200, deadline=None)
@given(document=st.text(max_size=200) | YAML_VALUES.map(json.dumps))
def test_any_metadata_json_gives_a_refusal_naming_it(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("export")
    (folder / "metadata.json").write_text(document, encoding="utf-8")
    with pytest.raises((ModelFolderError, FileNotFoundError)) as raised:
        LiteRTModel.from_directory(str(folder))  # no model file and no tokenizer: never a working folder
    assert str(folder) in str(raised.value)
