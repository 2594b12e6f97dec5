"""Malformed requests sent to the running app (hypothesis): every answer is a 2xx or a 4xx with a JSON error,
never a 5xx, and the server keeps answering."""

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from served_models import preset_predictors, running_server

from seqtk.serving import ServeLimits

VERBS = ["predict", "generate", "score", "classify", "translate", "tag"]
MODELS = ["shakespeare", "sentiment", "fr_en", "upos", "missing"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                           inner, max_size=4),
                      max_leaves=12)
bodies = st.one_of(
    st.binary(max_size=200),
    values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"instances": st.lists(st.one_of(st.text(max_size=40), values), max_size=4)},
                          optional={"max_tokens": st.one_of(st.integers(-5, 3000), values),
                                    "sampler": st.sampled_from(["greedy", "top_k", "top_p", "temperature", "x"]),
                                    "temperature": st.one_of(st.floats(-1, 3, allow_nan=False), values),
                                    "top_k": st.integers(-3, 300), "top_p": st.floats(-1, 2, allow_nan=False),
                                    "seed": st.integers(-5, 2**32), "stream": st.booleans(),
                                    "beam_size": st.integers(-2, 40), "length_penalty": st.floats(-2, 20),
                                    "extra": values}).map(lambda v: json.dumps(v).encode()),
)


@pytest.fixture(scope="module")
def client():
    limits = ServeLimits(max_tokens=20, max_instances=4, max_text_chars=200, request_timeout_s=30)
    with running_server(preset_predictors(), limits) as (url, _), httpx.Client(base_url=url, timeout=60) as http:
        yield http


class RequestFuzzTest:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(model=st.sampled_from(MODELS), verb=st.sampled_from(VERBS), body=bodies)
    def test_no_request_gets_a_5xx(self, client, model, verb, body):
        response = client.post(f"/v1/models/{model}:{verb}", content=body,
                               headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            assert isinstance(response.json()["error"], str)
        elif response.headers["content-type"].startswith("application/json"):
            assert len(response.json()["predictions"]) == len(json.loads(body)["instances"])

    def test_the_server_still_answers(self, client):
        assert client.get("/readyz").status_code == 200
