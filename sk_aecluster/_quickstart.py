"""The README's main job: AE2Encoder -> PCA -> KMeans on the bundled digits."""

import time


def main():
    """Cluster scikit-learn's digits and print the clustering accuracy."""
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.pipeline import Pipeline

    from sk_aecluster import AE2Encoder, clustering_accuracy_score

    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8) / 16.0
    pipe = Pipeline([
        ("ae", AE2Encoder(max_epochs=20, random_state=0, verbose=1)),
        ("pca", PCA(32, random_state=0)),
        ("km", KMeans(10, n_init=10, random_state=0)),
    ])
    start = time.perf_counter()
    labels = pipe.fit_predict(images)
    print(f"clustering accuracy on {len(y)} digits: "
          f"{clustering_accuracy_score(y, labels):.3f} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
