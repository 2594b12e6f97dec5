"""Every generic training option for the translator and the tagger (`generic_options`)."""

import pytest

from generic_options import (  # noqa: F401  (test classes and fixtures collected here)
    GenericOptionTest,
    data_files,
    test_unknown_symbols_are_counted_warned_about_and_refused_when_strict,
)

pytestmark = pytest.mark.large


@pytest.fixture(params=["translator", "tagger"])
def task(request):
    return request.param
