"""`seqtk run-tflite`: an exported folder run by the LiteRT interpreter alone, as its task's exporter says."""

from seqtk.data.text_input import read_input_texts
from seqtk.export.exporters import make_exporter
from seqtk.export.litert_model import LiteRTModel
from seqtk.tokenizers.unknown_symbols import located, report_unknown


def run_litert(directory, texts=(), input_path=None, num_threads=None, **options):
    """The output lines of the exported folder `directory` on `texts`, by its task.

    A language model continues each prompt in `texts` (one empty prompt without any); a classifier
    gives `label<TAB>probability<TAB>text`; a translator one translation per line; a tagger `word/TAG`
    pairs. Texts of the other tasks also come from `input_path` or standard input (`read_input_texts`).
    `options` are the task's (`Exporter.run`): `beam_size`, `length_penalty`, `max_length`, `temperature`,
    `top_k`, `top_p`, `seed`.

    Example:
    >>> run_litert("exports/sst2_ulmfit_bidirectional_tflite", ["a witty, moving film"])
    ['1\t0.9731\ta witty, moving film']
    """
    model = LiteRTModel.from_directory(directory, num_threads=num_threads)
    exporter = make_exporter(model.task)
    if exporter.reads_input:
        read = read_input_texts(texts, input_path, verb=exporter.verb, nouns="texts")
        texts, locations = read.texts, read.locations
    else:
        texts = list(texts) or [""]
        locations = [f"prompt {i}" for i in range(1, len(texts) + 1)]
    report_unknown(model.input_tokenizer, located(texts, locations), "Input" if exporter.reads_input else "Prompts")
    return exporter.run(model, texts, options)
