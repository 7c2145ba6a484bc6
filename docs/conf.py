"""Sphinx configuration of the sk_aecluster documentation.

Build (offline, warnings are errors, gallery examples executed)::

    python -m sphinx -W -b html docs docs/_build/html
"""

import os
import re
import sys
import warnings
from datetime import date

# The package is imported from the working tree when it is not installed.
sys.path.insert(0, os.path.abspath(".."))

import sk_aecluster  # noqa: E402

project = "sk_aecluster"
author = "The sk_aecluster developers"
copyright = f"{date.today().year}, {author}"
release = sk_aecluster.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
default_role = "literal"
nitpicky = False

# -- API reference --------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Offline build -----------------------------------------------------------
# No intersphinx: references to numpy/scikit-learn/torch stay plain text so the
# build never touches the network. The pages use no LaTeX math either (formulas
# are written in Unicode), so reading the site needs no network: MathJax, which
# would be fetched from a CDN by the reader's browser, is never loaded.
myst_heading_anchors = 3

# -- Gallery -----------------------------------------------------------------
# The examples train tiny networks for a few epochs on scikit-learn's bundled
# 8x8 digits so the whole gallery runs in a few minutes on two CPU cores.
# The examples run inside the Sphinx process. PyTorch's intra-op thread pool
# degrades badly when the cores are shared with other jobs (a CI machine that
# also runs tests, a laptop): one thread is the robust choice for these tiny
# networks. Set SK_AECLUSTER_DOCS_THREADS to use more.
import torch  # noqa: E402

torch.set_num_threads(int(os.environ.get("SK_AECLUSTER_DOCS_THREADS", "1")))
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "subsection_order": ["../examples/study", "../examples/applications"],
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "doc_module": ("sk_aecluster",),
    "backreferences_dir": "generated",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
}

# Torch, openTSNE and scikit-learn may emit warnings that are about the tiny
# example settings, not about the documentation; keep the build log readable.
warnings.filterwarnings("ignore", message=".*Matplotlib is currently using agg.*")

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sk_aecluster {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}


# -- Inherited scikit-learn plumbing -------------------------------------------
# The estimators inherit scikit-learn's metadata-routing and set_output
# methods, whose docstrings point at labels of scikit-learn's own site
# (resolvable only through intersphinx, which this offline build does not
# use). They are the same for every scikit-learn estimator and documented
# there, so they are left out of the API pages.
_SKLEARN_PLUMBING = re.compile(r"^(get_metadata_routing|set_output|set_\w+_request)$")


def _skip_plumbing(app, what, name, obj, skip, options):
    if _SKLEARN_PLUMBING.match(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_plumbing)
