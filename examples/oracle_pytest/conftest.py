"""Copy this folder next to your code; run `pytest --vectors PATH/TO/spec/vectors`."""

from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--vectors", default=None, help="folder holding the qsgd-ref oracle vector files")


@pytest.fixture(scope="session")
def vectors_dir(request):
    path = request.config.getoption("--vectors")
    if not path or not Path(path).is_dir():
        pytest.skip("no oracle vectors: pass --vectors DIR (the qsgd-ref spec/vectors folder)")
    return Path(path)
