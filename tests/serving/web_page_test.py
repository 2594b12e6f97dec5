"""The page at `/` in a real browser (Debian's chromium, driven by Playwright): a person's typing and clicks
give what `seqtk.load(...)` gives on the same inputs, for each task; generation appears as it streams."""

import pytest
from browser import browser_page
from served_models import preset_predictors, running_server

from seqtk.predictors import TaggerPredictor


class EntityTagger(TaggerPredictor):
    """A tagger with fixed BIO tags: the page's entity highlighting, checked without an NER preset."""

    def __init__(self):
        super().__init__("fixed-ner", "keras", _FixedTags())
        self.scheme = "BIO"


class _FixedTags:
    def tag(self, token_lists, batch_size):
        return [tuple(["B-PER", "I-PER", "O", "O", "B-LOC"] + ["O"] * (len(t) - 5))[: len(t)] for t in token_lists]


@pytest.fixture(scope="module")
def page_and_models():
    predictors = preset_predictors()
    served = {**predictors, "ner": EntityTagger()}
    with running_server(served) as (url, _), browser_page(url + "/", "document.body.dataset.ready === 'true'") as page:
        yield page, predictors

def run(page, model, text):
    page.select_option("#model", model)
    page.fill("#input", text)
    page.click("#run")
    page.wait_for_function("document.getElementById('run').disabled === false")
    assert page.is_hidden("#error"), page.text_content("#error")


class WebPageTest:
    def test_generation_streams_and_equals_seqtk_load(self, page_and_models):
        page, predictors = page_and_models
        page.select_option("#model", "shakespeare")
        page.fill("#max-tokens", "60")
        for sampler, seed in (("greedy", ""), ("top_k", "11")):
            page.select_option("#sampler", sampler)
            page.fill("#seed", seed)
            page.fill("#input", "ROMEO:")
            # The text grows in the page while it is drawn: watch its lengths.
            page.evaluate("""() => { window.lengths = []; new MutationObserver(() => window.lengths.push(
                document.getElementById('generated').textContent.length)).observe(
                document.getElementById('generated'), {childList: true, characterData: true, subtree: true}); }""")
            page.click("#run")
            page.wait_for_selector("#generated[data-done=true]")
            expected = predictors["shakespeare"].generate("ROMEO:", max_tokens=60, sampler=sampler,
                                                          seed=int(seed) if seed else None)
            assert page.text_content("#generated") == expected
            lengths = page.evaluate("window.lengths")
            assert len(set(lengths)) > 10  # shown piece by piece, not at once

    def test_classification_shows_the_probabilities_as_bars(self, page_and_models):
        page, predictors = page_and_models
        for text in ("A gorgeous, witty, seductive movie.", "The plot is dull and the acting is worse."):
            run(page, "sentiment", text)
            expected = predictors["sentiment"].classify(text)
            assert page.text_content("#label") == expected["label"]
            bars = page.eval_on_selector_all(".bar", "rows => rows.map(r => [r.dataset.label, +r.dataset.probability,"
                                                     " r.querySelector('.bar-fill').style.width])")
            assert [label for label, _, _ in bars] == list(expected["probabilities"])
            for label, probability, width in bars:
                assert probability == pytest.approx(expected["probabilities"][label], abs=1e-6)
                assert float(width.rstrip("%")) == pytest.approx(100 * probability, abs=0.06)

    def test_translation_greedy_and_beam(self, page_and_models):
        page, predictors = page_and_models
        for beam in ("1", "5"):
            page.select_option("#model", "fr_en")
            page.select_option("#beam-size", beam)
            for sentence in ("Je suis fatigué.", "Où est la gare ?"):
                run(page, "fr_en", sentence)
                assert page.text_content("#translation") == predictors["fr_en"].translate(sentence, beam_size=int(beam))

    def test_tags_and_highlighted_entities(self, page_and_models):
        page, predictors = page_and_models
        run(page, "upos", "I saw her at the office .")
        rows = page.eval_on_selector_all("#tags tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
        expected = predictors["upos"].tag("I saw her at the office .")
        assert rows == [list(pair) for pair in zip(expected["tokens"], expected["tags"], strict=True)]
        run(page, "ner", "John Smith lives in Paris today")
        marks = page.eval_on_selector_all("mark.entity", "ms => ms.map(m => [m.dataset.type, m.firstChild.textContent])")
        assert marks == [["PER", "John Smith"], ["LOC", "Paris"]]

    def test_an_error_is_shown_not_thrown(self, page_and_models):
        page, _ = page_and_models
        page.select_option("#model", "shakespeare")
        page.fill("#max-tokens", "5000")
        page.fill("#input", "ROMEO:")
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        assert "max_tokens" in page.text_content("#error")
        page.fill("#max-tokens", "20")
