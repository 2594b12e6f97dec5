"""`seqtk serve` over real HTTP: TF Serving's shape and the task verbs give what `seqtk.load` gives, requests
that arrive together run as one batch, generation streams as Server-Sent Events and a client that leaves frees
its row, and every bad request gets a 4xx JSON error."""

import concurrent.futures
import json
import time

import httpx
import pytest
from served_models import preset_predictors, running_server

from seqtk.serving import ServeLimits


@pytest.fixture(scope="module")
def server():
    predictors = preset_predictors()
    limits = ServeLimits(max_wait_ms=50, max_instances=8, max_text_chars=2000, max_body_bytes=20_000, max_tokens=500)
    with running_server(predictors, limits) as (url, app), httpx.Client(base_url=url, timeout=60) as client:
        yield client, predictors, app


def post(client, path, body):
    response = client.post(path, json=body)
    return response.status_code, response.json()


class StatusTest:
    def test_health_readiness_status_and_metadata(self, server):
        client, _, _ = server
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True
        status = client.get("/v1/models/sentiment").json()
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        metadata = client.get("/v1/models/sentiment/metadata").json()["metadata"]
        assert metadata["task"] == "classifier" and metadata["labels"] == ["0", "1"]
        assert client.get("/v1/models/shakespeare/metadata").json()["metadata"]["precision"] == "float32"
        names = {m["name"]: m["task"] for m in client.get("/v1/models").json()["models"]}
        assert names == {"shakespeare": "lm", "sentiment": "classifier", "fr_en": "translator", "upos": "tagger"}

    def test_openapi_schema_lists_every_verb_with_its_body(self, server):
        client, _, _ = server
        schema = client.get("/openapi.json").json()
        for verb in ("predict", "generate", "score", "classify", "translate", "tag"):
            operation = schema["paths"][f"/v1/models/{{name}}:{verb}"]["post"]
            assert operation["requestBody"]["content"]["application/json"]["schema"]
        generate = schema["paths"]["/v1/models/{name}:generate"]["post"]["requestBody"]["content"]
        assert "max_tokens" in generate["application/json"]["schema"]["properties"]


class VerbsTest:
    def test_each_verb_answers_what_seqtk_load_answers(self, server):
        client, predictors, _ = server
        texts = ["A gorgeous, witty film.", "Dull and lifeless."]
        status, body = post(client, "/v1/models/sentiment:classify", {"instances": texts})
        assert status == 200
        expected = predictors["sentiment"].classify(texts)
        assert [p["label"] for p in body["predictions"]] == [e["label"] for e in expected]
        for found, wanted in zip(body["predictions"], expected, strict=True):
            assert found["probabilities"] == pytest.approx(wanted["probabilities"], abs=1e-5)
        assert post(client, "/v1/models/sentiment:predict", {"instances": texts})[1] == body

        sentences = ["Je suis fatigué.", "Il fait beau."]
        for beam in (1, 4):
            status, body = post(client, "/v1/models/fr_en:translate", {"instances": sentences, "beam_size": beam})
            assert status == 200 and body["predictions"] == predictors["fr_en"].translate(sentences, beam_size=beam)

        status, body = post(client, "/v1/models/upos:tag", {"instances": ["I saw her .", ["Where", "is", "it", "?"]]})
        assert status == 200
        assert body["predictions"] == predictors["upos"].tag(["I saw her .", ["Where", "is", "it", "?"]])

        options = {"max_tokens": 40, "sampler": "top_p", "temperature": 0.8, "top_p": 0.9, "seed": 7}
        status, body = post(client, "/v1/models/shakespeare:generate", {"instances": ["ROMEO:", "JULIET:"], **options})
        assert status == 200
        assert body["predictions"] == predictors["shakespeare"].generate(["ROMEO:", "JULIET:"], **options)
        status, body = post(client, "/v1/models/shakespeare:score", {"instances": ["To be, or not to be"]})
        wanted = predictors["shakespeare"].score("To be, or not to be")
        assert body["predictions"][0]["log_likelihood"] == pytest.approx(wanted["log_likelihood"], rel=1e-5)

    def test_requests_that_arrive_together_run_as_one_batch(self, server):
        client, predictors, app = server
        worker = app.state.served["sentiment"].worker
        texts = [f"A film with {n} good scenes and a {['dull', 'witty'][n % 2]} script." for n in range(12)]
        before = len(worker.batches)
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda t: post(client, "/v1/models/sentiment:classify", {"instances": [t]}), texts))
        assert all(status == 200 for status, _ in answers)
        sizes = [size for verb, size in list(worker.batches)[before:]]
        assert sum(sizes) == 12 and max(sizes) > 1  # 50 ms of waiting gathered several requests
        expected = predictors["sentiment"].classify(texts)
        assert [body["predictions"][0]["label"] for _, body in answers] == [e["label"] for e in expected]

    def test_concurrent_generations_share_steps_and_keep_their_own_seeds(self, server):
        client, predictors, app = server
        worker = app.state.served["shakespeare"].worker
        before = len(worker.batches)
        prompts = ["ROMEO:", "KING:", "First Citizen:", "O", "JULIET:\nMy", "Away!"]
        def one(i):
            return post(client, "/v1/models/shakespeare:generate",
                        {"instances": [prompts[i]], "max_tokens": 30, "sampler": "top_k", "seed": 100 + i})[1]
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(one, range(6)))
        for i, body in enumerate(answers):
            alone = predictors["shakespeare"].generate(prompts[i], max_tokens=30, sampler="top_k", seed=100 + i)
            assert body["predictions"] == [alone]
        assert max(size for verb, size in list(worker.batches)[before:]) > 1


class StreamingTest:
    def events(self, response):
        events, name = [], "message"
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                name = "message"
        return events

    def test_pieces_join_to_the_generated_text(self, server):
        client, predictors, _ = server
        body = {"instances": ["ROMEO:"], "max_tokens": 25, "sampler": "top_k", "seed": 3, "stream": True}
        with client.stream("POST", "/v1/models/shakespeare:generate", json=body) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = self.events(response)
        pieces = [data["text"] for name, data in events if name == "message"]
        assert len(pieces) == 25
        expected = predictors["shakespeare"].generate("ROMEO:", max_tokens=25, sampler="top_k", seed=3)
        assert events[-1] == ("done", {"text": expected, "tokens": 25})
        assert "ROMEO:" + "".join(pieces) == expected

    def test_a_client_that_leaves_frees_its_row(self, server):
        client, _, app = server
        worker = app.state.served["shakespeare"].worker
        body = {"instances": ["ROMEO:"], "max_tokens": 500, "stream": True}
        with client.stream("POST", "/v1/models/shakespeare:generate", json=body) as response:
            lines = response.iter_lines()
            next(lines)
            assert worker.generation.running
        deadline = time.monotonic() + 10
        while worker.generation.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.generation.busy
        running = worker.generation.running
        assert running == []

    def test_streaming_takes_one_prompt(self, server):
        client, _, _ = server
        status, body = post(client, "/v1/models/shakespeare:generate", {"instances": ["a", "b"], "stream": True})
        assert status == 400 and "one instance" in body["error"]


BAD_REQUESTS = [
    # (path, raw body, status, words of the error)
    ("/v1/models/sentiment:classify", b"{", 400, "not valid JSON"),
    ("/v1/models/sentiment:classify", b"[1, 2]", 400, "JSON object"),
    ("/v1/models/sentiment:classify", b'{"instances": "a text"}', 400, "valid list"),
    ("/v1/models/sentiment:classify", b'{"instances": [3]}', 400, "valid string"),
    ("/v1/models/sentiment:classify", b'{"texts": ["a"]}', 400, "instances: Field required"),
    ("/v1/models/sentiment:classify", b'{"instances": []}', 400, "at least 1"),
    ("/v1/models/sentiment:classify", b'{"instances": ["  "]}', 400, "the text is empty"),
    ("/v1/models/sentiment:classify", b'{"instances": ["\\ud800"]}', 400, "unpaired surrogate"),
    ("/v1/models/sentiment:classify", b'\xff{"instances": ["a"]}', 400, "not valid UTF-8"),
    ("/v1/models/sentiment:classify", json.dumps({"instances": ["a" * 2001]}).encode(), 400, "at most 2000"),
    ("/v1/models/sentiment:classify", json.dumps({"instances": ["a"] * 9}).encode(), 400, "at most 8"),
    ("/v1/models/sentiment:classify", json.dumps({"instances": ["a" * 1999] * 11}).encode(), 413, "20000"),
    ("/v1/models/sentiment:generate", b'{"instances": ["a"]}', 404, "answers :classify"),
    ("/v1/models/../etc:classify", b'{"instances": ["a"]}', 404, ""),
    ("/v1/models/%2Fetc%2Fpasswd:predict", b'{"instances": ["a"]}', 404, "No route"),
    ("/v1/models/shakespeare:generate", b'{"instances": ["a"], "max_tokens": 501}', 400, "limit of 500"),
    ("/v1/models/shakespeare:generate", b'{"instances": ["a"], "max_tokens": "9"}', 400, "valid integer"),
    ("/v1/models/shakespeare:generate", b'{"instances": ["a"], "sampler": "beam"}', 400, "sampler"),
    ("/v1/models/shakespeare:generate", b'{"instances": ["a"], "temperature": 0}', 400, "greater than 0"),
    ("/v1/models/shakespeare:score", b'{"instances": ["a"]}', 400, "at least two tokens"),
    ("/v1/models/fr_en:translate", b'{"instances": ["a"], "beam_size": 99}', 400, "limit of 16"),
    ("/v1/models/upos:tag", b'{"instances": [["two words"]]}', 400, "whitespace"),
    ("/v1/models/upos:tag", b'{"instances": [[]]}', 400, "empty"),
    ("/v1/models/nothing:predict", b'{"instances": ["a"]}', 404, "No model named 'nothing'"),
]


class BadInputTest:
    @pytest.mark.parametrize("path,body,status,words", BAD_REQUESTS)
    def test_bad_requests_get_a_4xx_that_says_why(self, server, path, body, status, words):
        client, _, _ = server
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == status, response.text
        assert words in response.json()["error"]

    def test_the_server_still_answers_after_them(self, server):
        client, _, _ = server
        assert client.get("/readyz").status_code == 200
        assert post(client, "/v1/models/sentiment:classify", {"instances": ["Fine."]})[0] == 200
