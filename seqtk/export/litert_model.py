"""An exported folder driven by the LiteRT interpreter alone: generate, classify, translate."""

import itertools
import math
import os

import numpy as np

from seqtk.data.sentence_encoding import tagger_inputs, truncate
from seqtk.defaults import MAX_NEW_TOKENS, TEMPERATURE
from seqtk.errors import ModelFolderError
from seqtk.export.viterbi_path import viterbi_path
from seqtk.generation.stream_batch import Stream, StreamBatch
from seqtk.generation.token_sampling import log_softmax, without_padding
from seqtk.folder_files import read_json_file
from seqtk.tokenizers.tokenizer import is_plain_name, load_tokenizer

MODEL_FILE = "model.tflite"
METADATA_FILE = "metadata.json"


def _interpreter(model_path=None, model_content=None, num_threads=None):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as error:  # pragma: no cover - a dependency of seqtk
        raise ImportError(
            "Running TFLite files needs the LiteRT interpreter: pip install ai-edge-litert"
        ) from error
    return Interpreter(model_path=model_path, model_content=model_content, num_threads=num_threads)


class LiteRTModel:
    """Runs the signatures of one TFLite file, keeping recurrent states as plain numpy arrays.

    Args:
        model_path / model_content: the `.tflite` file, as a path or bytes.
        state_dims: `{state_name: size}` of the states the signatures pass (from `metadata.json`).
        num_threads: interpreter threads (None: LiteRT's default).

    Example:
    >>> model = LiteRTModel.from_directory("exports/shakespeare_char")
    >>> logits, states = model.prefill(model.tokenizer.encode("ROMEO:"), model.start_states())
    >>> model.generate("ROMEO:", max_tokens=100, temperature=0.8)
    """

    def __init__(self, model_path=None, model_content=None, metadata=None, tokenizer=None, num_threads=None):
        self.interpreter = _interpreter(model_path, model_content, num_threads)
        self.metadata = metadata or {}
        self.tokenizer = tokenizer
        self.runners = {
            key: self.interpreter.get_signature_runner(key) for key in self.interpreter.get_signature_list()
        }
        self.state_dims = dict(self.metadata.get("states", {}))

    @classmethod
    def from_directory(cls, directory, num_threads=None):
        metadata_path = os.path.join(directory, METADATA_FILE)
        if not os.path.exists(metadata_path):
            raise FileNotFoundError(
                f"{directory}: not a seqtk TFLite export (no {METADATA_FILE}). Give a folder "
                "written by `seqtk export tflite`."
            )
        metadata = read_json_file(metadata_path, "export's metadata")
        if not is_plain_name(metadata.get("file")):
            # The file it names must lie inside the folder: a folder cannot make seqtk read elsewhere.
            raise ModelFolderError(f"{metadata_path}: not a seqtk export's metadata (its `file` must name the "
                                   ".tflite file inside the folder); export the model again.")
        model_path = os.path.join(directory, metadata["file"])
        if not os.path.isfile(model_path):
            raise ModelFolderError(f"{metadata_path}: names {metadata['file']}, which the folder does not hold; "
                                   "export the model again.")
        return cls(
            model_path,
            metadata=metadata,
            tokenizer=load_tokenizer(directory),
            num_threads=num_threads,
        )

    @property
    def task(self):
        """The task's one name (`lm`, `classifier`, ...); exports of earlier versions said `language_model`."""
        task = self.metadata.get("task")
        return "lm" if task == "language_model" else task

    def __call__(self, key, **inputs):
        return self.runners[key](**inputs)

    def zero_states(self, names=None):
        names = names or list(self.state_dims)
        return {name: np.zeros((1, self.state_dims[name]), np.float32) for name in names}

    def start_states(self):
        """The states a generated stream starts from: the language model's recorded start state (metadata
        `start_states`), or zeros for a model without one."""
        recorded = self.metadata.get("start_states")
        if not recorded:
            return self.zero_states()
        return {name: np.asarray(recorded[name], np.float32).reshape(1, self.state_dims[name])
                for name in self.state_dims}

    def _states(self, outputs):
        return {name: outputs[name] for name in self.state_dims if name in outputs}

    # Language model ---------------------------------------------------------------------------------------

    def prefill(self, token_ids, states):
        ids = np.asarray(token_ids, np.int32).reshape(-1)
        if "prefill" not in self.runners:
            # A web export has `step` alone: the prompt is read one token at a time, as the page reads it.
            for token in ids:
                logits, states = self.step(int(token), states)
            return logits, states
        fixed = self.metadata.get("fixed_length")
        if not fixed:
            outputs = self("prefill", tokens=ids.reshape(1, -1), **states)
            return outputs["logits"][0], self._states(outputs)
        # An unrolled prefill reads `fixed` tokens per call (0-padded): longer prompts go in chunks.
        for start in range(0, len(ids), fixed):
            chunk = ids[start : start + fixed]
            outputs = self("prefill", tokens=np.pad(chunk, (0, fixed - len(chunk))).reshape(1, -1), **states)
            states = self._states(outputs)
        return outputs["logits"][0], states

    def step(self, token, states):
        outputs = self("step", token=np.array([token], np.int32), **states)
        return outputs["logits"][0], self._states(outputs)

    def step_runner(self):
        """This model as `StreamBatch` drives it. The exported files read one row at a time (their batch size
        is fixed at 1, as phones run them), so a batch's rows run one after another."""
        return _LiteRTStepRunner(self)

    def log_likelihood(self, token_ids):
        """Total natural-log likelihood of `token_ids[1:]` given what precedes each, one `step` per token."""
        states = self.zero_states()
        total = 0.0
        for current, following in itertools.pairwise(token_ids):
            logits, states = self.step(int(current), states)
            total += float(log_softmax(logits)[following])
        return total

    def generate(self, prompt, max_tokens=MAX_NEW_TOKENS, temperature=TEMPERATURE, top_k=0, top_p=1.0, seed=None):
        """Continues `prompt` by sampling (greedy when `temperature` is 0); returns the new text. `top_k` and
        `top_p` filter the tokens drawn from (0 and 1.0: none); `sampler_filters` gives them for a sampler's name.

        A backward model (metadata `reverse`) writes the text that comes before `prompt`.
        """
        stream = Stream(prompt, self.tokenizer, max_tokens, (temperature, top_k, top_p), seed,
                        reverse=bool(self.metadata.get("reverse")))
        batch = StreamBatch(self.step_runner(), max_batch=1)
        batch.add(stream)
        batch.run()
        return stream.continuation()

    # Classifier -------------------------------------------------------------------------------------------

    def classify_ids(self, token_ids):
        """Class probabilities of one text's ids (cut or padded as the export expects)."""
        fixed = self.metadata.get("fixed_length")
        ids = np.asarray(token_ids, np.int32)
        if fixed:
            ids = np.pad(ids[:fixed], (0, max(0, fixed - len(ids))))
        return self("classify", token_ids=ids.reshape(1, -1))["probabilities"][0]

    def classify(self, texts):
        """`[(label, probability), ...]` for each text."""
        labels = self.metadata["labels"]
        results = []
        for text in texts:
            probabilities = self.classify_ids(self.encode_text(text))
            best = int(np.argmax(probabilities))
            results.append((labels[best], float(probabilities[best])))
        return results

    def encode_text(self, text):
        ids = self.tokenizer.encode(text)
        limit = self.metadata.get("max_length") or 0
        if limit:
            ids = truncate(np.asarray(ids), limit, self.metadata.get("truncation", "head"))
        if len(ids) == 0:
            raise ValueError(f"{text!r} has no tokens this model knows; give a non-empty text.")
        return ids

    # Translator -------------------------------------------------------------------------------------------

    def encode_source(self, source_ids):
        """The decoder's initial states (and `context`) for one source sentence."""
        limit = self.metadata.get("max_source_length") or 0
        ids = np.asarray(source_ids, np.int32)[: limit or None]
        fixed = self.metadata.get("fixed_length")
        if fixed:
            ids = np.pad(ids[:fixed], (0, max(0, fixed - len(ids))))
        outputs = self("encode", source_ids=ids.reshape(1, -1))
        if "bridge" in self.runners:
            encoder = {name: outputs[name] for name in self.metadata["encoder_states"]}
            bridged = self("bridge", **encoder)
            outputs = {**outputs, **bridged}
        start = {name: outputs[name] for name in self.state_dims}
        if "context" in outputs:
            start["context"] = outputs["context"]
        return start

    def _decode_step(self, token, states):
        outputs = self("decode_step", token=np.array([token], np.int32), **states)
        new = self._states(outputs)
        if "context" in states:
            new["context"] = states["context"]
        return log_softmax(without_padding(outputs["logits"][0])), new

    def translate_ids(self, source_ids, beam_size=1, length_penalty=0.0, max_length=None):
        """Target ids of one source (without the end id): greedy with `beam_size=1`."""
        special = self.metadata["special_ids"]
        start_id, end_id = special["start"], special["end"]
        max_length = max_length or self.metadata.get("max_target_length") or 2 * len(source_ids) + 10
        states = self.encode_source(source_ids)
        if beam_size == 1:
            token, ids = start_id, []
            for _ in range(max_length):
                log_probs, states = self._decode_step(token, states)
                token = int(np.argmax(log_probs))
                if token == end_id:
                    break
                ids.append(token)
            return ids
        return self._beam_search(states, start_id, end_id, max_length, beam_size, length_penalty)

    def _beam_search(self, states, start_id, end_id, max_length, beam_size, length_penalty):
        # The semantics of seqtk.generation.beam_search, for one sentence: endings count among the k best
        # candidates only, scores are log-probabilities over GNMT's length normalizer, and the search stops
        # once no live hypothesis could still beat the best finished one.
        def normalizer(length):
            return ((5.0 + length) / 6.0) ** length_penalty

        alive = [(0.0, [], start_id, states)]
        finished = []
        for step in range(max_length):
            candidates = []
            for score, ids, token, hypothesis_states in alive:
                log_probs, new_states = self._decode_step(token, hypothesis_states)
                best = np.argpartition(-log_probs, 2 * beam_size)[: 2 * beam_size]
                candidates.extend((score + float(log_probs[t]), ids, int(t), new_states) for t in best)
            candidates.sort(key=lambda c: -c[0])
            candidates = candidates[: 2 * beam_size]
            alive = []
            for rank, (score, ids, token, new_states) in enumerate(candidates):
                if token == end_id:
                    if rank < beam_size:
                        finished.append((score / normalizer(step + 1), ids))
                elif len(alive) < beam_size:
                    alive.append((score, ids + [token], token, new_states))
            best_finished = max((s for s, _ in finished), default=-math.inf)
            if not alive or alive[0][0] / normalizer(max_length) <= best_finished:
                break
        if alive:
            cut = alive[0][0] / normalizer(len(alive[0][1]))
            if cut > max((s for s, _ in finished), default=-math.inf):
                return alive[0][1]
        return max(finished, key=lambda f: f[0])[1]

    # Tagger -----------------------------------------------------------------------------------------------

    def tag_ids(self, token_ids, char_ids):
        """The tag ids of one encoded sentence (`tagger_inputs`: `(1, words)` and `(1, words, width)`, padding
        left out of the result): the file's own Viterbi search, or for a web file, which gives scores only,
        the search over them with metadata.json's `viterbi` scores."""
        outputs = self("tag", token_ids=token_ids, char_ids=char_ids)
        words = int(np.count_nonzero(token_ids))
        if "tags" in outputs:
            return outputs["tags"][0][:words]
        crf = self.metadata["viterbi"]
        return viterbi_path(outputs["scores"][0][:words], crf["transitions"], crf["start"], crf["end"])

    def tag(self, sentences):
        """The tags of each sentence (a list of tokens), in the export's output scheme. A web file reads
        sentences of a fixed length: a longer one is tagged in pieces of that many tokens, each alone."""
        from seqtk.data.tag_schemes import convert

        width, names = self.metadata["max_word_length"], self.metadata["tags"]
        scheme, output = self.metadata.get("scheme"), self.metadata.get("output_scheme")
        fixed = self.metadata.get("fixed_length")
        results = []
        for tokens in sentences:
            if not tokens:
                raise ValueError("A sentence to tag has no tokens; give one or more words.")
            ids, step = [], fixed or len(tokens)
            for start in range(0, len(tokens), step):
                inputs = tagger_inputs(self.tokenizer, tokens[start : start + step], width, fixed)
                ids.extend(self.tag_ids(inputs["token_ids"], inputs["char_ids"]))
            tags = [names[int(i)] for i in ids]
            results.append(tuple(convert(tags, scheme, output) if scheme and output != scheme else tags))
        return results

    @property
    def input_tokenizer(self):
        """The tokenizer that reads what the model is given: a translator's source side, else the only one."""
        return getattr(self.tokenizer, "source", self.tokenizer)

    def translate(self, sentences, beam_size=1, length_penalty=0.0):
        target = self.tokenizer.target if hasattr(self.tokenizer, "target") else self.tokenizer
        source = self.input_tokenizer
        translations = []
        for sentence in sentences:
            ids = source.encode(sentence)
            if len(ids) == 0:
                raise ValueError(f"{sentence!r} has no tokens this model knows; give a non-empty sentence.")
            translations.append(target.decode(self.translate_ids(ids, beam_size, length_penalty)))
        return translations


class _LiteRTStepRunner:
    """`prefill` and `step` on batches (states a list of `(batch, dim)` arrays in `state_dims` order), one
    row at a time through the batch-1 signatures."""

    def __init__(self, model):
        self.model, self.names = model, list(model.state_dims)

    def _rows(self, results):
        logits = np.stack([logits for logits, _ in results])
        return logits, [np.concatenate([states[name] for _, states in results]) for name in self.names]

    def prefill(self, prompt_ids):
        return self._rows([self.model.prefill(ids, self.model.start_states()) for ids in prompt_ids])

    def step(self, tokens, states):
        return self._rows([self.model.step(int(token), {name: states[k][row : row + 1]
                                                        for k, name in enumerate(self.names)})
                           for row, token in enumerate(tokens)])
