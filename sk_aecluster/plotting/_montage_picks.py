"""Which images a cluster montage shows: nearest the centre, and a seeded sample."""

import numpy as np
from sklearn.utils import check_random_state


def distances_to_centres(features, labels, centres=None):
    """Euclidean distance of each sample to the centre of its own cluster.

    ``centres[label]`` when ``centres`` is given (e.g. KMeans'
    ``cluster_centers_``, indexed by integer labels), else the mean of the
    cluster's ``features``.
    """
    Z = np.asarray(features, dtype=np.float64)
    Z = Z.reshape(len(Z), -1)
    labels = np.asarray(labels)
    if len(Z) != len(labels):
        raise ValueError(
            f"features has {len(Z)} rows but labels has {len(labels)}; they must match."
        )
    if not np.isfinite(Z).all():
        raise ValueError("features contains NaN or infinity.")
    clusters, codes = np.unique(labels, return_inverse=True)
    if centres is not None:
        C = np.asarray(centres, dtype=np.float64)
        C = C.reshape(len(C), -1)
        if C.shape[1] != Z.shape[1]:
            raise ValueError(
                f"the centres have {C.shape[1]} dimensions but the features {Z.shape[1]}."
            )
        ok = labels.dtype.kind in "iu" and labels.min() >= 0 and labels.max() < len(C)
        if not ok:
            raise ValueError(
                f"labels must be integers in 0..{len(C) - 1} to index the "
                f"{len(C)} cluster centres."
            )
        own = C[labels]
    else:
        means = np.stack([Z[codes == k].mean(axis=0) for k in range(len(clusters))])
        own = means[codes]
    return np.sqrt(((Z - own) ** 2).sum(axis=1))


def pick_montage(labels, *, distances=None, n_closest=8, n_random=8, random_state=0,
                 clusters=None):
    """Per cluster, the indices of its closest images and of a random sample.

    Returns ``(clusters, sizes, closest, sample)``: ``closest[k]`` holds the
    ``n_closest`` indices of cluster ``clusters[k]`` with the smallest
    ``distances`` (nearest first; empty when ``distances`` is None) and
    ``sample[k]`` up to ``n_random`` indices drawn without replacement from
    the cluster's other images, with one generator seeded by ``random_state``
    used cluster after cluster in sorted order.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D array; got shape {labels.shape}.")
    for name, value in (("n_closest", n_closest), ("n_random", n_random)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")
    if distances is not None:
        distances = np.asarray(distances, dtype=np.float64)
        if distances.shape != labels.shape:
            raise ValueError(
                f"distances must hold one value per image ({len(labels)}); got shape "
                f"{distances.shape}."
            )
    elif n_closest:
        n_closest = 0  # nothing to measure closeness by: the random sample only
    if n_closest + n_random == 0:
        raise ValueError("n_closest and n_random are both 0: there is nothing to show.")
    present, sizes = np.unique(labels, return_counts=True)
    if clusters is None:
        chosen = present
    else:
        chosen = np.asarray(clusters).reshape(-1)
        missing = [c for c in chosen.tolist() if c not in set(present.tolist())]
        if missing or len(chosen) == 0:
            raise ValueError(
                f"clusters {missing or '[]'} are not among the labels "
                f"{present.tolist()[:20]}."
            )
    size_of = dict(zip(present.tolist(), sizes.tolist(), strict=True))
    rng = check_random_state(random_state)
    picked = {}  # every cluster draws, so a cluster's sample does not depend on `clusters`
    for c in present.tolist():
        members = np.flatnonzero(labels == c)
        near = np.empty(0, dtype=np.intp)
        if n_closest:
            order = np.argsort(distances[members], kind="stable")
            near = members[order[:n_closest]]
        rest = np.setdiff1d(members, near)
        drawn = np.empty(0, dtype=np.intp)
        if n_random and len(rest):
            drawn = rng.choice(rest, size=min(n_random, len(rest)), replace=False)
        picked[c] = (near, np.asarray(drawn, dtype=np.intp))
    sizes = np.array([size_of[c] for c in chosen.tolist()])
    closest = [picked[c][0] for c in chosen.tolist()]
    sample = [picked[c][1] for c in chosen.tolist()]
    return chosen, sizes, closest, sample
