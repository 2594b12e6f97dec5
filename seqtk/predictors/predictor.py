"""`seqtk.load`: a saved or exported model folder as one object with its task's methods, whichever backend
runs it (Keras for a folder `seqtk train` wrote, the LiteRT interpreter for one `seqtk export tflite` wrote)."""

import os

from seqtk.errors import ModelFolderError

_PREDICTORS = {}  # task name -> Predictor subclass; the predictor modules register themselves


def register_predictor(task):
    """Class decorator: the `Predictor` subclass for the seqtk task called `task`."""

    def register(predictor_class):
        predictor_class.task = task
        _PREDICTORS[task] = predictor_class
        return predictor_class

    return register


class Predictor:
    """A trained model ready to use: the methods of its task, one protocol for both backends.

    A plain string gives one result, a list gives a list (batched inside). `backend` says what runs the model:
    `"keras"` (a saved folder) or `"litert"` (an exported one, no TensorFlow model code involved).

    Examples:
        >>> classifier = seqtk.load("saved_models/sst2_ulmfit_bidirectional")
        >>> classifier.classify("A gorgeous, witty film.")["label"]
        '1'
    """

    task = None  # set by `register_predictor`
    verb = "run"  # what `output_lines` does to its texts, for the error when there are none
    reads_input = True  # whether texts come from a file or standard input when none are given

    def __init__(self, directory, backend, runtime, config=None):
        self.directory, self.backend, self.runtime, self.config = directory, backend, runtime, config
        self.input_tokenizer = None  # the tokenizer that reads what the model is given; set by each task

    def report_unknown(self, texts, locations=None, what="Input"):
        """Reports (on standard error) the symbols of `texts` outside the model's vocabulary, naming where each
        text came from (`locations`, such as `"reviews.txt, line 7"`); an error under `--strict`."""
        from seqtk.tokenizers.unknown_symbols import located, report_unknown

        report_unknown(self.input_tokenizer, located(texts, locations or ["input"] * len(texts)), what)

    def output_lines(self, texts, **options):
        """What `seqtk run` prints for `texts`: one line (or block) per text, in the task's format."""
        raise NotImplementedError

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        raise NotImplementedError

    @classmethod
    def from_litert(cls, directory, model):
        raise NotImplementedError

    @staticmethod
    def _many(items, what="texts"):
        """`(list, single)`: `items` as a list, and whether one plain item was given."""
        if isinstance(items, str):
            return [items], True
        items = list(items)
        if not all(isinstance(item, str) for item in items):
            raise TypeError(f"Give {what} as a string or a list of strings.")
        return items, False

    @staticmethod
    def _one_or_all(results, single):
        return results[0] if single else results

    def __repr__(self):
        return f"<{type(self).__name__} {self.directory!r} ({self.task}, {self.backend})>"


def load(path, num_threads=None, task=None):
    """The model in the folder `path` as its task's `Predictor`: a folder `seqtk train` wrote (Keras) or one
    `seqtk export tflite` wrote (LiteRT; `num_threads` for its interpreter). A folder whose files are damaged
    or tampered with is refused with the file's name; nothing in it runs. With `task`, a folder of another
    task is refused.

    Examples:
        >>> lm = seqtk.load("saved_models/shakespeare_char_large")
        >>> lm.generate("ROMEO:", max_tokens=40, seed=1)
    """
    path = os.fspath(path)
    if not any(os.path.exists(os.path.join(path, name)) for name in ("metadata.json", "model.keras")):
        raise FileNotFoundError(f"{path}: not a seqtk model folder: it holds neither metadata.json (an export) nor "
                                "model.keras (a saved model). Give a folder written by `seqtk train` or "
                                "`seqtk export tflite`, such as saved_models/ud_ewt_upos.")
    if os.path.exists(os.path.join(path, "metadata.json")):
        from seqtk.export.litert_model import LiteRTModel

        model = LiteRTModel.from_directory(path, num_threads=num_threads)
        return _predictor(model.task, path, task).from_litert(path, model)
    from seqtk.tasks import load_model_directory, task_of_config

    model, tokenizer, config = load_model_directory(path, task=task)
    return _predictor(task_of_config(config).name, path, task).from_keras(path, model, tokenizer, config)


def _predictor(found, path, wanted=None):
    if wanted is not None and found != wanted:
        raise ValueError(f"{path}: holds a model of the task {found!r}; give a {wanted} model folder.")
    if found not in _PREDICTORS:
        raise ModelFolderError(f"{path}: holds a model of the task {found!r}, which seqtk.load does not serve "
                               f"({', '.join(sorted(_PREDICTORS))}).")
    return _PREDICTORS[found]
