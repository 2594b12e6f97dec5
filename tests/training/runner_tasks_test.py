"""Every generic training option for the other half of the registered tasks (`generic_options`)."""

import pytest

from generic_options import (  # noqa: F401  (test classes and fixtures collected here)
    GenericOptionTest,
    data_files,
    test_unknown_symbols_are_counted_warned_about_and_refused_when_strict,
)

from seqtk.tasks import task_names

pytestmark = pytest.mark.large


@pytest.fixture(params=task_names()[1::2])
def task(request):
    return request.param
