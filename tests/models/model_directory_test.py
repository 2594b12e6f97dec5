import os
import zipfile

import keras
import numpy as np
import pytest

from seqtk.models import LanguageModel
from seqtk.models.model_directory import load_keras_file, read_model_directory, save_model_directory
from seqtk.tokenizers import CharTokenizer


@pytest.fixture
def saved(tmp_path):
    tokenizer = CharTokenizer.train(["abc def"])
    model = LanguageModel(tokenizer.vocabulary_size, 4, 4, 1)
    model(np.zeros((1, 3), "int32"))
    return save_model_directory(str(tmp_path / "m"), model, tokenizer, config={"task": "lm"})


class LoadKerasFileTest:
    def test_whole_file_loads(self, saved):
        model, _, config = read_model_directory(saved)
        assert isinstance(model, LanguageModel) and config == {"task": "lm"}

    @pytest.mark.parametrize("cut", [0.5, 0.99])
    def test_truncated_file_is_named_as_corrupt(self, saved, cut):
        path = os.path.join(saved, "model.keras")
        data = open(path, "rb").read()
        with open(path, "wb") as handle:
            handle.write(data[: int(len(data) * cut)])
        with pytest.raises(ValueError, match=r"model\.keras: not a readable \.keras file: .* truncated or corrupt"):
            read_model_directory(saved)

    def test_flipped_bytes_fail_the_checksum(self, saved):
        path = os.path.join(saved, "model.keras")
        with zipfile.ZipFile(path) as archive:
            member = max(archive.infolist(), key=lambda info: info.file_size)
            offset = member.header_offset + 30 + len(member.filename) + len(member.extra) + member.compress_size // 2
        data = bytearray(open(path, "rb").read())
        data[offset] ^= 0xFF
        open(path, "wb").write(bytes(data))
        with pytest.raises(ValueError, match=f"member {member.filename} fails its checksum"):
            load_keras_file(path)

    def test_a_lambda_in_a_model_file_is_refused(self, tmp_path):
        # Keras' safe mode: deserializing a Lambda layer would run its code.
        inputs = keras.Input((2,))
        model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
        path = str(tmp_path / "lambda.keras")
        model.save(path)
        with pytest.raises(ValueError, match="(?i)unsafe|lambda|safe_mode"):
            load_keras_file(path)


@pytest.mark.parametrize("error", [28, 13])  # ENOSPC, EACCES
def test_a_save_that_fails_halfway_leaves_the_previous_model_whole(saved, monkeypatch, error):
    import errno

    import yaml

    before = {name: open(os.path.join(saved, name), "rb").read() for name in os.listdir(saved)}
    tokenizer = CharTokenizer.train(["xyz"])
    model = LanguageModel(tokenizer.vocabulary_size, 4, 4, 1)
    model(np.zeros((1, 3), "int32"))

    def failing_dump(*args, **kwargs):  # the model and tokenizer are written by then: halfway
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(yaml, "safe_dump", failing_dump)
    with pytest.raises(OSError) as raised:
        save_model_directory(saved, model, tokenizer, config={"task": "lm"})
    assert raised.value.errno in (errno.ENOSPC, errno.EACCES)
    monkeypatch.undo()
    after = {name: open(os.path.join(saved, name), "rb").read() for name in os.listdir(saved)}
    assert after == before
    assert [n for n in os.listdir(os.path.dirname(saved)) if n.endswith(".tmp")] == []
    model, loaded_tokenizer, _ = read_model_directory(saved)
    assert loaded_tokenizer.vocabulary_size != tokenizer.vocabulary_size  # still the earlier model's


class Float16StorageTest:
    def test_float16_weights_load_as_the_rounded_float32_model_and_the_file_shrinks(self, tmp_path):
        from seqtk.models.model_directory import round_weights

        tokenizer = CharTokenizer.train(["hello world\n"])
        model = LanguageModel(tokenizer.vocabulary_size, 16, 64, 1, start_state=True, seed=0)
        model.build((None, None))
        full = save_model_directory(str(tmp_path / "full"), model, tokenizer, {"task": "lm"})
        round_weights(model, "float16")
        half = save_model_directory(str(tmp_path / "half"), model, tokenizer, {"task": "lm"}, precision="float16")
        with zipfile.ZipFile(os.path.join(half, "model.keras")) as archive:
            assert archive.testzip() is None
        parameters = model.count_params()
        shrunk = os.path.getsize(os.path.join(full, "model.keras")) - os.path.getsize(os.path.join(half, "model.keras"))
        assert shrunk > 1.5 * parameters  # two bytes fewer per weight
        loaded = load_keras_file(os.path.join(half, "model.keras"))
        for saved, rounded in zip(loaded.get_weights(), model.get_weights(), strict=True):
            assert saved.dtype == np.float32
            np.testing.assert_array_equal(saved, rounded)

    def test_a_weight_out_of_float16_range_and_an_unknown_precision_are_refused(self, tmp_path):
        from seqtk.models.model_directory import round_weights

        model = LanguageModel(8, 4, 4, 1, seed=0)
        model.build((None, None))
        model.embedding.embeddings.assign(np.full(model.embedding.embeddings.shape, 1e6, "float32"))
        with pytest.raises(ValueError, match=r"embedding.*1e\+06 does not fit in float16.*keep save_precision"):
            round_weights(model, "float16")
        with pytest.raises(ValueError, match="precision must be one of"):
            save_model_directory(str(tmp_path / "m"), model, CharTokenizer.train(["ab"]), precision="int8")
        assert not (tmp_path / "m").exists()
