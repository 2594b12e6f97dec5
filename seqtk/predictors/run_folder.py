"""`seqtk run`: any model folder, saved or exported, on texts, printed as its task prints them."""

from seqtk.data.text_input import read_input_texts
from seqtk.predictors.predictor import load


def run_folder(directory, texts=(), input_path=None, num_threads=None, **options):
    """The output lines of the model in `directory` on `texts`, in its task's format.

    A language model continues each prompt in `texts` (one empty prompt without any). A classifier gives
    `label<TAB>probability<TAB>text`, a translator one translation per line, and a tagger `word/TAG` pairs.
    The texts of those three tasks can also come from `input_path` or standard input (`read_input_texts`).
    `options` are the predictor's: `beam_size`, `length_penalty`, `max_length`, `sampler`, `temperature`,
    `top_k`, `top_p`, `seed`.

    Example:
    >>> run_folder("exports/sst2_ulmfit_bidirectional_tflite", ["a witty, moving film"])
    ['1\t0.9731\ta witty, moving film']
    """
    predictor = load(directory, num_threads=num_threads)
    if predictor.reads_input:
        read = read_input_texts(texts, input_path, verb=predictor.verb, nouns="texts")
        texts, locations = read.texts, read.locations
    else:
        texts = list(texts) or [""]
        locations = [f"prompt {i}" for i in range(1, len(texts) + 1)]
    predictor.report_unknown(texts, locations, "Input" if predictor.reads_input else "Prompts")
    return predictor.output_lines(texts, locations=locations, **options)
