"""The worked example of docs/adding-a-task.md (docs/examples/text_regression.py) is a working task: the
generic verbs and options work for it with nothing else written."""

import contextlib
import importlib.util
import json
import os
import sys

import pytest

from seqtk.cli import main
from seqtk.tasks import evaluate, get_task, load_model_directory, registry
from seqtk.tasks.task import Task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "docs", "examples", "text_regression.py")

pytestmark = pytest.mark.large


@contextlib.contextmanager
def example_task():
    """The example module imported and its task registered, for this test only (the other tests' parameters
    list the tasks seqtk ships)."""
    spec = importlib.util.spec_from_file_location("text_regression_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    try:
        yield module
    finally:
        registry._TASKS.pop("text_regression", None)
        sys.modules.pop(spec.name, None)


class ExampleTaskTest:
    def test_the_example_trains_saves_evaluates_and_shows_its_options(self, tmp_path, capsys):
        with example_task() as module:
            task = get_task("text_regression")
            assert isinstance(task, Task) and task.config_class is module.RegressionConfig
            assert main(["train", "text_regression", "--help-config"]) == 0
            assert "\ndata.target_column = 'label'  (int | str; a column name or 0-based index)\n" in \
                capsys.readouterr().out
            config = task.load_config(None, overrides=[
                f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
                "training.epochs=2", "training.verbose=0", "model.embedding_dim=16", "model.hidden_dim=16",
                "training.monitor=val_mean_absolute_error", "training.lr_schedule=step"])
            result = task.train(config, log=lambda *a: None)
            report = result["metrics"]["validation"]
            # Targets are 0 or 1: a model that learned anything beats always answering 0.5 (MAE 0.5).
            assert report["examples"] > 0 and 0 < report["mean_absolute_error"] < 0.5
            assert report["root_mean_squared_error"] >= report["mean_absolute_error"]
            card = open(os.path.join(result["directory"], "MODEL_CARD.md"), encoding="utf-8").read()
            assert card.startswith("# text_regression\n\nA LSTM text regressor") and "## Reproduce" in card
            model, _, saved = load_model_directory(result["directory"])
            assert isinstance(model, module.TextRegressor) and saved.training.monitor == "val_mean_absolute_error"
            dev = tmp_path / "dev.tsv"
            dev.write_text("sentence\tlabel\na gorgeous, witty film\t1\ndull and lifeless\t0\n", encoding="utf-8")
            found, again = evaluate(result["directory"], [str(dev)])
            assert found is task and again["examples"] == 2
            json.dumps(again)
            dev.write_text("sentence\tlabel\na film\tgood\n", encoding="utf-8")
            with pytest.raises(ValueError, match=rf"{dev}, line 2: the target 'good' is not a number"):
                evaluate(result["directory"], [str(dev)])
        assert "text_regression" not in registry.task_names()
