"""What the `seqtk` command's use verbs call on saved models: generate, classify, translate, tag.

Each loads a saved model folder (`load_model_directory`), reports the input's symbols outside its vocabulary
and runs the model's inference object (`TextGenerator`, `ClassifierEnsemble`, `SentenceTranslator`,
`SentenceTagger`).
"""

from seqtk.defaults import BATCH_SIZE, MAX_NEW_TOKENS, SAMPLER
from seqtk.errors import DataError
from seqtk.generation.text_generator import TextGenerator
from seqtk.inference.classifier_ensemble import ClassifierEnsemble
from seqtk.inference.translator_evaluation import sentence_translator
from seqtk.tasks.registry import load_model_directory
from seqtk.tasks.tagger import sentence_tagger
from seqtk.tokenizers.unknown_symbols import located, report_unknown


def sample_texts(directory, prompt="", num_samples=1, max_length=MAX_NEW_TOKENS, sampler=SAMPLER, seed=None, **sampler_kwargs):
    """`num_samples` texts sampled from the language model saved in `directory`, each starting with
    `prompt`; sample `i` uses `seed + i`. `sampler_kwargs`: `temperature`, `k`, `p`."""
    model, tokenizer, _ = load_model_directory(directory, task="lm")
    if prompt:
        report_unknown(tokenizer, [("the prompt", None, prompt)], "Prompt")
    generator = TextGenerator(model, tokenizer, sampler=sampler, **sampler_kwargs)
    return [generator.generate(prompt, max_length=max_length, seed=None if seed is None else seed + index)
            for index in range(num_samples)]


def _report_inputs(ensemble, texts, source, locations=None, what="Input"):
    """Reports the unknown symbols of `texts` once per distinct tokenizer of the ensemble."""
    locations = locations or [source] * len(texts)
    seen = set()
    for member, name in zip(ensemble.members, ensemble.names, strict=True):
        tokenizer = member[1]
        if id(tokenizer) in seen:
            continue
        seen.add(id(tokenizer))
        label = what if len(ensemble.members) == 1 else f"{what} ({name})"
        report_unknown(tokenizer, located(texts, locations), label)


def load_classifier_ensemble(directories):
    """A `ClassifierEnsemble` of the classifiers saved in `directories` (one directory: the model alone)."""
    members = [load_model_directory(d, task="classifier") for d in directories]
    return ClassifierEnsemble(members, names=list(directories))


def classify(directories, texts, batch_size=BATCH_SIZE, source="input", locations=None):
    """`(labels, probabilities)`: the label order and one row of probabilities per text, averaged over the
    classifiers in `directories`. `source` names where the texts came from in errors, `locations` where
    each one did (`"reviews.txt, line 7"`), for the report of unknown symbols."""
    ensemble = load_classifier_ensemble(directories)
    _report_inputs(ensemble, texts, source, locations)
    return ensemble.labels, ensemble.probabilities(texts, batch_size, source=source)


def load_translator(directory):
    """`(translator, config)`: the `SentenceTranslator` of the translator saved in `directory`."""
    model, tokenizers, config = load_model_directory(directory, task="translator")
    return sentence_translator(model, tokenizers, config.data), config


def translate(directory, texts, beam_size=1, length_penalty=None, batch_size=BATCH_SIZE, locations=None):
    """The translations of `texts` by the translator saved in `directory`; `length_penalty` defaults to
    the model's own (`training.length_penalty`)."""
    translator, config = load_translator(directory)
    locations = locations or ["input"] * len(texts)
    report_unknown(translator.source_tokenizer, located(texts, locations), "Input")
    length_penalty = config.training.length_penalty if length_penalty is None else length_penalty
    return translator.translate(texts, beam_size, length_penalty, batch_size, locations)


def tag_texts(directory, token_lists, batch_size=BATCH_SIZE, locations=None):
    """The tags of each pre-split sentence (lists of tokens) by the saved tagger in `directory`, in its
    output scheme. `locations` (`"news.txt, line 4"`) name the sentences in the report of unknown words.

    Example:
    >>> tag_texts("saved_models/ud_ewt_upos", [["I", "saw", "her", "."]])
    [('PRON', 'VERB', 'PRON', 'PUNCT')]
    """
    model, tokenizer, config = load_model_directory(directory, task="tagger")
    locations = locations or [f"sentence {i}" for i in range(1, len(token_lists) + 1)]
    for tokens, location in zip(token_lists, locations, strict=True):
        if not tokens:
            raise DataError(f"{location}: no tokens to tag; give one sentence per line, tokens separated by spaces.")
    report_unknown(tokenizer, [(location, None, " ".join(tokens)) for tokens, location
                               in zip(token_lists, locations, strict=True)], "Input")
    return sentence_tagger(model, tokenizer, config).tag(token_lists, batch_size)
