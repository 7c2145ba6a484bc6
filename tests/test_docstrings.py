"""Every example in the package's docstrings runs and prints what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import sk_aecluster

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(sk_aecluster.__path__, "sk_aecluster.")
    if not info.name.endswith("__main__")  # running it would start the command
)


def test_the_package_has_docstring_examples():
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
    )
    assert examples >= 30


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} failing docstring example(s) in {name}"
