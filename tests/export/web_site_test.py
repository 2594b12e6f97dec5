"""`seqtk export web` on the shipped models (and a small entity tagger): each site, served on 127.0.0.1 and opened
in headless Chromium (Playwright with Debian's chromium), gives what Python's `seqtk.load` gives on the same
exported folder."""

import contextlib
import json
import os

import pytest
from browser import browser_page
from shipped_models import shipped_model

from seqtk.export.web_site import export_web, serve_site, web_assets
from seqtk.export.web_target import web_problems
from seqtk.predictors import load

PROMPTS = ["ROMEO:", "First Citizen:\nBefore we proceed", "", "O, wh"]

pytestmark = pytest.mark.large


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sites") / "shakespeare"
    report = export_web(shipped_model("shakespeare_char_large"), str(folder), log=lambda *a: None)
    with served(folder) as url:
        yield url, folder, report


@contextlib.contextmanager
def served(folder):
    """The site in `folder` served on 127.0.0.1 while the block runs: its URL."""
    server, url = serve_site(str(folder))
    try:
        yield url
    finally:
        server.shutdown()


def assert_greedy_text_is_pythons(url, python, prompts, tokens=50):
    """The page at `url` writes, greedily, the text `python` (seqtk.load of the site's model) generates."""
    with browser_page(url) as page:
        assert page.evaluate("document.body.dataset.ready") == "true", page.text_content("#error")
        page.select_option("#sampler", "greedy")
        page.fill("#max-tokens", str(tokens))
        for prompt in prompts:
            page.fill("#input", prompt)
            page.click("#run")
            page.wait_for_selector("#output[data-done=true]", timeout=120_000)
            assert page.is_hidden("#error"), page.text_content("#error")
            assert page.text_content("#output") == python.generate(prompt, max_tokens=tokens, sampler="greedy"), prompt
            page.evaluate("document.getElementById('output').dataset.done = 'false'")


def submit(page, text, output):
    """Runs the page on `text`; returns once the element whose id is `output` holds the answer (no error)."""
    page.fill("#input", text)
    page.evaluate(f"document.getElementById('{output}').replaceChildren()")
    page.click("#run")
    page.wait_for_function(f"document.getElementById('{output}').hasChildNodes() || "
                           "!document.getElementById('error').hidden")
    assert page.is_hidden("#error"), page.text_content("#error")


def assert_refuses_empty(page, text):
    page.fill("#input", text)
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert "empty" in page.text_content("#error")


class WebSiteTest:
    def test_the_site_holds_the_page_the_runtime_and_the_model(self, site):
        _, folder, report = site
        for name in ("index.html", "seqtk-web.js", "wasm/litert_wasm_internal.wasm", "model/model.tflite",
                     "model/metadata.json", "model/tokenizer.json"):
            assert (folder / name).is_file(), name
        assert report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
        assert "cdn" not in (folder / "index.html").read_text().lower()

    def test_greedy_generation_in_the_browser_equals_python(self, site):
        url, folder, _ = site
        assert_greedy_text_is_pythons(url, load(str(folder / "model")), PROMPTS)

    @pytest.mark.parametrize("preset", ["sst2_lm", "sst2_lm_backward"])
    def test_the_sentencepiece_models_forward_and_backward_generate_as_python(self, preset, tmp_path):
        from seqtk.data.text_sources import BUNDLED

        export_web(shipped_model(preset), str(tmp_path / "site"), examples_path=BUNDLED["sst2_dev"],
                   log=lambda *a: None)
        # A backward model writes the text before the prompt, which ends the text.
        with served(tmp_path / "site") as url:
            assert_greedy_text_is_pythons(url, load(str(tmp_path / "site" / "model")),
                                          ["a gorgeous , witty film", "", "   "])

    def test_a_folder_without_a_task_is_refused_first(self, tmp_path):
        (tmp_path / "empty").mkdir()
        with pytest.raises(ValueError, match="a model without a task; the web page runs lm, classifier, translator, "
                                             "tagger models"):
            export_web(str(tmp_path / "empty"), str(tmp_path / "site"))
        assert not (tmp_path / "site").exists()

    def test_without_built_assets_the_error_says_how_to_build_them(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="npm ci && npm run build"):
            web_assets(str(tmp_path))
        assert os.path.isdir(web_assets())


@pytest.fixture(scope="module")
def classifier_site(tmp_path_factory):
    from seqtk.data.text_sources import BUNDLED

    folder = tmp_path_factory.mktemp("sites") / "sentiment"
    export_web(shipped_model("sst2_ulmfit_bidirectional"), str(folder), examples_path=BUNDLED["sst2_dev"],
               log=lambda *a: None)
    with served(folder) as url:
        yield url, folder


class ClassifierSiteTest:
    def test_the_web_file_unrolls_the_bilstm_and_classifies_as_keras(self, classifier_site):
        from seqtk.data.labeled_text import read_labeled

        _, folder = classifier_site
        report = json.loads((folder / "model" / "export_report.json").read_text())
        assert report["signatures"]["classify"]["max_abs_diff_vs_keras"] < 1e-5 and not report["fused_lstm"]
        assert web_problems((folder / "model" / "model.tflite").read_bytes()) == []
        texts = [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")][:100]
        web, keras = load(str(folder / "model")), load(shipped_model("sst2_ulmfit_bidirectional"))
        for found, expected in zip(web.classify(texts), keras.classify(texts), strict=True):
            assert found["label"] == expected["label"]
            assert found["probabilities"] == pytest.approx(expected["probabilities"], abs=1e-5)

    def test_labels_and_probabilities_in_the_browser_equal_python(self, classifier_site):
        from seqtk.data.labeled_text import read_labeled

        url, folder = classifier_site
        texts = [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")][:20]
        python = load(str(folder / "model"))
        with browser_page(url) as page:
            assert page.evaluate("document.body.dataset.ready") == "true", page.text_content("#error")
            for text in texts:
                submit(page, text, "label")
                expected = python.classify(text)
                assert page.text_content("#label") == expected["label"], text
                bars = page.eval_on_selector_all(".bar", "rows => rows.map(r => [r.dataset.label, +r.dataset.probability])")
                assert dict(bars) == pytest.approx(expected["probabilities"], abs=1e-4)
            assert_refuses_empty(page, "   ")


@pytest.fixture(scope="module")
def translator_site(tmp_path_factory):
    from seqtk.data.parallel_text import read_parallel

    folder = tmp_path_factory.mktemp("sites")
    pairs = read_parallel("bundled:tatoeba_fr_en_valid_full")[:300]
    # The preset's config reads English<TAB>French (source column 1), as the shared file has it.
    (folder / "pairs.tsv").write_text("".join(f"{p.target}\t{p.source}\n" for p in pairs), encoding="utf-8")
    export_web(shipped_model("tatoeba_fr_en"), str(folder / "fr_en"), examples_path=str(folder / "pairs.tsv"),
               log=lambda *a: None)
    with served(folder / "fr_en") as url:
        yield url, folder / "fr_en", [p.source for p in pairs[:20]]


class TranslatorSiteTest:
    def test_greedy_and_beam_translations_in_the_browser_equal_python(self, translator_site):
        url, folder, sentences = translator_site
        python = load(str(folder / "model"))
        with browser_page(url) as page:
            assert page.evaluate("document.body.dataset.ready") == "true", page.text_content("#error")
            for beam in ("1", "5"):
                page.select_option("#beam-size", beam)
                for sentence in sentences:
                    submit(page, sentence, "translation")
                    expected = python.translate(sentence, beam_size=int(beam))
                    assert page.text_content("#translation") == expected, (beam, sentence)


@pytest.fixture(scope="module")
def tagger_site(tmp_path_factory):
    from seqtk.data.tagged_text import read_tagged
    from seqtk.data.text_sources import BUNDLED

    folder = tmp_path_factory.mktemp("sites") / "upos"
    export_web(shipped_model("ud_ewt_upos"), str(folder), examples_path=BUNDLED["ud_ewt_dev"], log=lambda *a: None)
    with served(folder) as url:
        sentences = [" ".join(s.tokens) for s in read_tagged([BUNDLED["ud_ewt_dev"]], "conllu", "upos")]
        yield url, folder, sentences


class TaggerSiteTest:
    def test_the_web_file_gives_scores_and_tags_as_keras(self, tagger_site):
        _, folder, sentences = tagger_site
        report = json.loads((folder / "model" / "export_report.json").read_text())
        assert report["signatures"]["tag"]["max_abs_diff_vs_keras"] < 1e-4 and not report["fused_lstm"]
        assert report["keras_agreement"]["tag_agreement"] == 1.0
        assert web_problems((folder / "model" / "model.tflite").read_bytes()) == []
        short = [s for s in sentences if len(s.split()) <= 64][:300]
        web, keras = load(str(folder / "model")), load(shipped_model("ud_ewt_upos"))
        assert web.tag(short) == keras.tag(short)

    def test_tags_in_the_browser_equal_python(self, tagger_site):
        url, folder, sentences = tagger_site
        python = load(str(folder / "model"))
        longest = max(sentences, key=lambda s: len(s.split()))  # 75 tokens: tagged in two pieces
        chosen = sentences[:40] + [longest, "  Where   is the\tUN's office ?  ", "Café 2024 naïve ÉTÉ"]
        with browser_page(url) as page:
            assert page.evaluate("document.body.dataset.ready") == "true", page.text_content("#error")
            for sentence in chosen:
                submit(page, sentence, "tagged")
                found = page.eval_on_selector_all("#tagged .token", "chips => chips.map(c => "
                                                  "[c.querySelector('.word').textContent, c.dataset.tag])")
                expected = python.tag(sentence)
                assert found == [list(pair) for pair in zip(expected["tokens"], expected["tags"], strict=True)]
            assert_refuses_empty(page, " \t ")


def test_an_entity_taggers_quantized_page_highlights_the_entities_python_finds(tmp_path):
    from export_models import ENTITY_SENTENCES, saved_entity_tagger

    directory, _ = saved_entity_tagger(tmp_path)
    # Quantized (int8 weights, as `seqtk export web --quantize dynamic`): LiteRT.js runs the hybrid kernels too.
    report = export_web(directory, str(tmp_path / "site"), log=lambda *a: None, quantize="dynamic")
    assert report["quantize"] == "dynamic" and report["size_vs_float"] < 1  # the small tensors stay float
    assert web_problems((tmp_path / "site" / "model" / "model.tflite").read_bytes()) == []
    python = load(str(tmp_path / "site" / "model"))
    sentences = [" ".join(s) for s in ENTITY_SENTENCES] + ["Paris Paris Ada Turing Oslo and Curie in Warsaw"]
    with served(tmp_path / "site") as url, browser_page(url) as page:
        assert page.evaluate("document.body.dataset.ready") == "true", page.text_content("#error")
        assert "IOB1 entities" in page.text_content("#task")
        for sentence in sentences:
            submit(page, sentence, "tagged")
            expected = python.tag(sentence)
            tags = page.eval_on_selector_all("#tagged .token", "chips => chips.map(c => c.dataset.tag)")
            assert tags == expected["tags"], sentence
            spans = json.loads(page.get_attribute("#tagged", "data-entities"))
            assert spans == [[e["type"], e["start"], e["end"]] for e in expected["entities"]], sentence
            # Tokens inside an entity are highlighted and labelled with its type; the others are plain.
            marked = page.eval_on_selector_all("#tagged .token", "chips => chips.map(c => "
                                               "c.classList.contains('marked') ? c.querySelector('.tag').textContent : null)")
            inside = [None] * len(tags)
            for entity in expected["entities"]:
                inside[entity["start"]:entity["end"]] = [entity["type"]] * (entity["end"] - entity["start"])
            assert marked == inside, sentence
