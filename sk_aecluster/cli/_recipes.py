"""``--recipe``: which pipeline the ``cluster`` command fits, and which options apply to it.

``autoencoder``, ``hog`` and ``contrastive`` are the feature choices of
:func:`sk_aecluster.make_recommended_pipeline` (features, a 2-D UMAP or
t-SNE, k-means); ``study`` is one of the study's pipelines (an autoencoder,
PCA / t-SNE / nothing, k-means or a Gaussian mixture); ``select`` fits the
three recommended recipes and keeps the most stable
(:class:`sk_aecluster.StabilityRecipeSelector`); ``auto`` does the same
without labels but tries first the recipe that
:func:`sk_aecluster.recommended_features` names for the images at hand and
keeps it, without fitting the others, when its stability score reaches
:data:`AUTO_ACCEPT`. An option that the chosen recipe does not use is an
error, never silently ignored.
"""

from ._common import InputError

RECIPES = ("auto", "autoencoder", "hog", "contrastive", "study", "select")
LEARNT = ("autoencoder", "contrastive", "study")
SELECTING = ("auto", "select")
EMBEDDED = ("autoencoder", "hog", "contrastive", *SELECTING)
#: the numbers of clusters ``--n-clusters auto`` chooses among
K_RANGE = range(2, 13)
#: the recipes ``--recipe select`` and ``auto`` choose among
SELECTED = ("autoencoder", "hog", "contrastive")
#: ``--recipe auto`` keeps the rule's recipe when its stability score is at
#: least this. Chosen with the scores of benchmarks/RESULTS.md in view
#: (digits: HOG 0.96-0.98, where HOG is the most accurate; USPS: the
#: autoencoder 0.99, where it is, and HOG 0.88-0.91), so not tested on
#: held-out data.
AUTO_ACCEPT = 0.9

#: option -> (the recipes that use it, its flag)
OPTIONS = {
    "epochs": (LEARNT, "--epochs"),
    "batch_size": ((*LEARNT, *SELECTING), "--batch-size"),
    "lr": ((*LEARNT, *SELECTING), "--lr"),
    "device": ((*LEARNT, *SELECTING), "--device"),
    "autoencoder": (("study",), "--autoencoder"),
    "reducer": (("study",), "--reducer"),
    "n_components": (("study",), "--n-components"),
    "clusterer": (("study",), "--clusterer"),
    "manifold": (EMBEDDED, "--manifold"),
    "n_neighbors": (EMBEDDED, "--n-neighbors"),
}

#: the values an option takes when it is not given, by recipe
DEFAULTS = {
    "study": {"epochs": 10, "batch_size": 64, "lr": 1e-3, "device": "cpu",
              "autoencoder": "ae2", "reducer": "pca", "clusterer": "kmeans"},
    "autoencoder": {"epochs": 250, "batch_size": 256, "lr": 1e-3, "device": "cpu",
                    "manifold": "auto", "n_neighbors": 20},
    "contrastive": {"epochs": 30, "batch_size": 256, "lr": 1e-3, "device": "cpu",
                    "manifold": "auto", "n_neighbors": 20},
    "hog": {"manifold": "auto", "n_neighbors": 20},
    "select": {"batch_size": 256, "lr": 1e-3, "device": "cpu",
               "manifold": "auto", "n_neighbors": 20},
}
DEFAULTS["auto"] = DEFAULTS["select"]

WHY_NOT = {
    "hog": "HOG features are computed, not trained",
    "study": "the study's pipelines reduce with --reducer",
    "select": "each recipe trains for its own default number of epochs",
}
WHY_NOT["auto"] = WHY_NOT["select"] + " (pass --recipe to choose one)"


def umap_installed():
    try:
        import umap  # noqa: F401
    except ImportError:
        return False
    return True


def resolve(args, X):
    """Fill the options that ``args.recipe`` uses; the order ``auto`` tries the recipes in.

    Returns the candidate recipes of ``auto`` and ``select`` (``auto``: the
    rule's recipe first), or ``None``. Raises :class:`InputError` for an
    option the recipe does not use.
    """
    from .. import recommended_features

    order = None
    if args.recipe == "auto":
        first = recommended_features(X)
        order = (first, *(name for name in SELECTED if name != first))
    elif args.recipe == "select":
        order = SELECTED
    recipe = args.recipe
    given = {dest for dest in OPTIONS if getattr(args, dest) is not None}
    for dest, (recipes, flag) in OPTIONS.items():
        value = getattr(args, dest)
        if value is not None and recipe not in recipes:
            users = ", ".join(r for r in RECIPES if r in recipes)
            reason = WHY_NOT.get(recipe, f"the {recipe} recipe does not use it")
            raise InputError(
                f"{flag} does not apply to the {recipe} recipe: {reason}. "
                f"It applies to --recipe {users}."
            )
    for dest in OPTIONS:
        if getattr(args, dest) is None:
            setattr(args, dest, DEFAULTS[recipe].get(dest))
    if getattr(args, "manifold", None) == "auto":
        args.manifold = "umap" if umap_installed() else "tsne"
    elif args.manifold == "umap" and not umap_installed():
        raise InputError(
            "--manifold umap needs umap-learn: pip install 'sk-aecluster[umap]', "
            "or pass --manifold tsne."
        )
    if "n_neighbors" in given and args.manifold == "tsne":
        raise InputError(
            "--n-neighbors does not apply to --manifold tsne (t-SNE sets its "
            "neighbourhoods by perplexity); it applies to --manifold umap."
        )
    return order


def rule_note(X, first):
    """Why ``auto`` tries ``first`` first: the rule and the images it saw."""
    kind = "colour" if X.ndim == 4 and X.shape[-1] in (3, 4) else "grey"
    size = "x".join(str(s) for s in X.shape[1:3])
    return f"{first}, the rule's recipe for {size} {kind} images"


def settings(args, recipe, **extra):
    """``recipe``'s settings for ``metrics.json``: the options it uses, and the seed.

    ``recipe`` is the one fitted: ``args.recipe``, or the recipe that
    ``auto`` or ``select`` chose (whose epochs are the recipe's own, not an
    option).
    """
    used = {dest: getattr(args, dest) for dest, (recipes, _) in OPTIONS.items()
            if recipe in recipes and getattr(args, dest) is not None}
    return {"recipe": recipe, **used, **extra, "random_state": args.random_state}


def build(args, order, n_clusters, n_components, n_samples, callbacks):
    """What ``cluster`` fits: the recipe's unfitted :class:`~sklearn.pipeline.Pipeline`.

    With ``--recipe auto`` or ``select`` (the recipes of ``order``) or
    ``--n-clusters auto``, a :class:`~sk_aecluster.StabilityRecipeSelector`
    over the recipes' pipelines, which chooses the recipe and the number of
    clusters by the stability score (``auto``: the first recipe reaching
    :data:`AUTO_ACCEPT` is kept); a recipe that fails raises. The pipelines
    report their steps (``verbose=True``) when fitted on all images, not in
    the score's refits.
    """
    from ..model_selection import StabilityRecipeSelector

    names = order or (args.recipe,)
    k = 2 if n_clusters == "auto" else n_clusters
    pipes = {name: _pipeline(args, name, k, n_components, n_samples, callbacks)
             for name in names}
    if order is None and n_clusters != "auto":
        return pipes[args.recipe].set_params(verbose=True)
    # a recipe that fails on the images is an error about them (dtype, size, ...),
    # not a candidate to pass over
    return StabilityRecipeSelector(
        n_clusters, candidates=pipes, n_clusters_range=K_RANGE,
        accept_score=AUTO_ACCEPT if args.recipe == "auto" else None, error_score="raise",
        verbose=2, random_state=args.random_state)


def _pipeline(args, recipe, n_clusters, n_components, n_samples, callbacks):
    from .. import make_recommended_pipeline

    if recipe == "study":
        return _study_pipeline(args, n_clusters, n_components, callbacks)
    training = {}
    if recipe in LEARNT:
        training = {"batch_size": args.batch_size, "lr": args.lr, "device": args.device,
                    "features_params": {"callbacks": callbacks, "verbose": 0}}
        if args.recipe not in SELECTING:
            training["max_epochs"] = args.epochs
    return make_recommended_pipeline(
        n_clusters,
        features=recipe,
        manifold=args.manifold,
        # UMAP and t-SNE need fewer neighbours than images
        n_neighbors=max(2, min(args.n_neighbors, n_samples - 1)),
        random_state=args.random_state,
        **training,
    )


def _study_pipeline(args, n_clusters, n_components, callbacks):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import Pipeline

    from .. import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder
    from ..manifold import TSNETransformer
    from ._parser import SIZE_MULTIPLE

    classes = {
        "ae1": AE1Encoder, "ae2": AE2Encoder,
        "conv": ConvAutoEncoder, "dense": DenseAutoEncoder,
    }
    params = {
        "max_epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "device": args.device, "random_state": args.random_state,
        "callbacks": callbacks, "verbose": 0,
    }
    if args.autoencoder in SIZE_MULTIPLE:
        params["pad_images"] = True
    steps = [("autoencoder", classes[args.autoencoder](**params))]
    seed = args.random_state
    if args.reducer == "pca":
        steps.append(("reducer", PCA(n_components, random_state=seed)))
    elif args.reducer == "tsne":
        steps.append(("reducer", TSNETransformer(n_components, random_state=seed)))
    if args.clusterer == "kmeans":
        clusterer = KMeans(n_clusters, n_init=10, random_state=seed)
    else:
        clusterer = GaussianMixture(n_clusters, random_state=seed)
    steps.append(("clusterer", clusterer))
    return Pipeline(steps)


def study_components(args, n, selecting=False):
    """``--n-components`` of the study's reducer, checked against the number of images.

    When the stability score chooses the number of clusters it refits on
    subsamples of 80% of the images, which PCA's default size must fit.
    """
    n_components = args.n_components
    if args.reducer == "pca":
        if n_components is None:
            return min(32, int(0.8 * n) if selecting else n)
        if n_components > n:
            raise InputError(
                f"--n-components {n_components} is more than the {n} images of INPUT "
                "(PCA keeps at most one component per image)."
            )
    elif args.reducer == "tsne":
        if n < 2:
            raise InputError("t-SNE needs at least 2 images.")
        return 2 if n_components is None else n_components
    elif n_components is not None:
        raise InputError("--n-components does not apply to --reducer none.")
    return None
