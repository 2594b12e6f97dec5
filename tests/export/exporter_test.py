import pytest

from seqtk.export.exporters import Exporter, make_exporter
from seqtk.tasks import task_names


class ExporterRegistryTest:
    def test_every_task_has_an_exporter_under_its_name(self):
        for name in task_names():
            exporter = make_exporter(name)
            assert isinstance(exporter, Exporter) and exporter.task == name
            assert exporter.sequence_key
        assert make_exporter("classifier").step_key is None and make_exporter("lm").step_key == "step"
        assert make_exporter("tagger").sequence_key == "tag" and not make_exporter("tagger").unrolls

    def test_an_unknown_task_is_named(self):
        with pytest.raises(ValueError, match=r"this model's task is 'parser', which has no exporter"):
            make_exporter("parser")
