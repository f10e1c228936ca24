"""The ``>>>`` examples in the package's docstrings run, so none can rot (style.md)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import peron_kg


def modules() -> list[str]:
    names = ["peron_kg"]
    names += [m.name for m in pkgutil.walk_packages(peron_kg.__path__, "peron_kg.")
              # `python -m peron_kg` runs the CLI on import; it holds no examples.
              if m.name != "peron_kg.__main__"]
    return sorted(names)


@pytest.mark.parametrize("name", modules())
def test_doctests(name):
    module = importlib.import_module(name)
    # Failures are printed to stdout, which pytest shows with the failed test.
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    # If the walk found nothing (a broken package path), every test above would pass vacuously.
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for n in modules()
                   for t in finder.find(importlib.import_module(n)))
    assert examples >= 20
