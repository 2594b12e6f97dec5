import keras
import pytest

from seqtk.training import keras_multi_worker


class KerasMultiWorkerTest:
    def test_the_installed_keras_is_the_one_the_repair_was_written_for(self):
        trainer = keras_multi_worker.check_version()
        assert all(hasattr(trainer, name) for name in keras_multi_worker._PRIVATE)
        assert tuple(map(int, keras.__version__.split(".")[:2])) == keras_multi_worker.WRITTEN_FOR

    @pytest.mark.parametrize("version", ["3.16.0", "3.12.1", "4.0.0"])
    def test_another_version_says_what_to_do(self, version):
        with pytest.raises(RuntimeError, match=rf"this is Keras {version}\. Install Keras 3\.15 .*keras==3\.15\.\*"):
            keras_multi_worker.check_version(version)
