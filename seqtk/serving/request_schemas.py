"""The JSON bodies the server accepts, one pydantic model per verb; types are strict (a number is not a text)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from seqtk.defaults import MAX_NEW_TOKENS, SAMPLER, TEMPERATURE, TOP_K, TOP_P
from seqtk.generation.token_sampling import SAMPLERS

Number = StrictFloat | StrictInt


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextsRequest(Request):
    """`{"instances": ["a witty film", ...]}`: texts to classify (or to score, for a language model)."""

    instances: list[StrictStr] = Field(min_length=1, description="the texts, one result each")


class GenerateRequest(Request):
    """Prompts to continue; `stream: true` sends one prompt's text as Server-Sent Events as it is drawn."""

    instances: list[StrictStr] = Field(min_length=1, description="the prompts ('' starts a new line)")
    max_tokens: StrictInt = Field(MAX_NEW_TOKENS, ge=1, description="tokens to draw per prompt")
    sampler: Literal[SAMPLERS] = Field(SAMPLER, description="greedy, temperature, top_k or top_p")
    temperature: Number = Field(TEMPERATURE, gt=0, le=100)
    top_k: StrictInt = Field(TOP_K, ge=1)
    top_p: Number = Field(TOP_P, gt=0, le=1)
    seed: StrictInt | None = Field(None, ge=0, lt=2**31, description="prompt i draws with seed + i")
    stream: StrictBool = Field(False, description="send the text as Server-Sent Events (one prompt only)")


class TranslateRequest(Request):
    """Sentences to translate; greedy with `beam_size` 1."""

    instances: list[StrictStr] = Field(min_length=1, description="source sentences")
    beam_size: StrictInt = Field(1, ge=1)
    length_penalty: Number | None = Field(None, ge=0, le=10, description="default: the model's own")


class TagRequest(Request):
    """Sentences to tag: a string is split on whitespace, a list is the tokens."""

    instances: list[StrictStr | list[StrictStr]] = Field(min_length=1, description="sentences")


# The request each verb reads, and the verb `:predict` means for each task.
VERB_REQUESTS = {"generate": GenerateRequest, "score": TextsRequest, "classify": TextsRequest,
                 "translate": TranslateRequest, "tag": TagRequest}
TASK_VERBS = {"lm": ("generate", "score"), "classifier": ("classify",), "translator": ("translate",),
              "tagger": ("tag",)}
