import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    DenseAutoEncoder,
    TSNETransformer,
    clustering_accuracy_score,
    make_recommended_pipeline,
    make_study_pipeline,
)


def test_recommended_pipeline_steps_and_fit(rgb_images):
    X, y = rgb_images
    pipe = make_recommended_pipeline(2, max_epochs=2, random_state=0)
    ae, tsne, km = (step for _, step in pipe.steps)
    assert isinstance(ae, DenseAutoEncoder) and ae.hidden_units == (500, 500, 2000)
    assert isinstance(tsne, TSNETransformer) and isinstance(km, KMeans)
    assert km.n_clusters == 2 and ae.random_state == 0 == tsne.random_state
    pipe.set_params(tsne__perplexity=5)
    labels = pipe.fit_predict(X)
    assert clustering_accuracy_score(y, labels) == 1.0


@pytest.mark.parametrize("ae, reducer, cls, red_cls, n", [
    ("ae1", "pca", AE1Encoder, PCA, 32),
    ("ae2", "tsne", AE2Encoder, TSNETransformer, 2),
])
def test_study_pipelines(ae, reducer, cls, red_cls, n):
    pipe = make_study_pipeline(3, autoencoder=ae, reducer=reducer, random_state=1,
                               pad_images=True)
    assert isinstance(pipe.steps[0][1], cls) and pipe.steps[0][1].pad_images
    red = pipe.steps[1][1]
    assert isinstance(red, red_cls)
    assert (red.n_components) == n
    assert pipe.steps[2][1].n_clusters == 3


def test_study_pipeline_bad_reducer():
    with pytest.raises(ValueError, match="reducer must be 'pca' or 'tsne'"):
        make_study_pipeline(reducer="umap")
    with pytest.raises(ValueError, match="autoencoder must be 'ae1' or 'ae2'"):
        make_study_pipeline(autoencoder="ae3")
