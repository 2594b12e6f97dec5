"""The task exporters, registered: importing this module registers each task's `Exporter` in `exporter` (a
leaf registry), so `make_exporter(task)` finds it."""

from seqtk.export import classifier_export, language_model_export, tagger_export, translator_export  # noqa: F401
from seqtk.export.exporter import Exporter, exporter_names, make_exporter, register_exporter

__all__ = ["Exporter", "exporter_names", "make_exporter", "register_exporter"]
