"""Encoding and labelling dask arrays of images: on a real dask.distributed
cluster, and streamed from a memory-mapped file or a folder of image files.

Skipped when dask and distributed are not installed
(``pip install sk_aecluster[distributed]``; the ``dev`` extra has them).
"""

import pickle

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
    dask_predict,
    dask_transform,
)
from sk_aecluster.datasets import (
    _lazy,
    dask_image_array,
    dask_image_folder,
    load_image_folder,
)

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

N_IMAGES, CHUNK, BATCH = 5000, 1000, 250


def _images(n=N_IMAGES, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 256, (n, 8, 8, 3)).astype(np.uint8)
    X[: n // 2] //= 3  # two groups, so that clustering has something to find
    return X


ENCODERS = {
    "AE1Encoder": AE1Encoder(latent_channels=2),
    "AE2Encoder": AE2Encoder(latent_channels=4),
    "ConvAutoEncoder": ConvAutoEncoder(hidden_channels=(4,), latent_channels=2),
    "DenseAutoEncoder": DenseAutoEncoder(hidden_units=(16,), latent_dim=3),
}


def _fitted(name, X):
    ae = ENCODERS[name].set_params(max_epochs=1, batch_size=BATCH, random_state=0)
    return ae.fit(X[:500])


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, memory_limit="1GiB",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def images():
    return _images()


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_encoders_on_a_cluster_match_in_memory(client, images, name):
    ae = _fitted(name, images)
    Z = dask_transform(ae, da.from_array(images, chunks=(CHUNK, 8, 8, 3)))
    assert Z.chunks == ((CHUNK,) * 5, (ae.transform(images[:1]).shape[1],))
    codes = client.compute(Z).result()
    # chunks a multiple of batch_size: the same batches, bit for bit
    np.testing.assert_array_equal(codes, ae.transform(images))
    assert len(client.scheduler_info()["workers"]) == 2


def test_hog_and_pipeline_on_a_cluster_match_in_memory(client, images):
    X = da.from_array(images, chunks=(CHUNK, 8, 8, 3))
    hog = HOGFeatures(cell_size=2).fit(images[:10])
    np.testing.assert_array_equal(client.compute(dask_transform(hog, X)).result(),
                                  hog.transform(images))
    pipe = make_pipeline(
        DenseAutoEncoder(hidden_units=(16,), latent_dim=3, max_epochs=1, batch_size=BATCH,
                         random_state=0),
        PCA(2, random_state=0),
        KMeans(2, n_init=2, random_state=0),
    ).fit(images[:500])
    labels = dask_predict(pipe, X)
    assert labels.chunks == ((CHUNK,) * 5,)
    expected = pipe.predict(images)
    np.testing.assert_array_equal(client.compute(labels).result(), expected)
    assert len(np.unique(expected)) == 2
    np.testing.assert_array_equal(client.compute(dask_transform(pipe, X)).result(),
                                  pipe.transform(images))


def test_chunks_that_split_batches_agree_to_rounding(images):
    ae = _fitted("AE1Encoder", images)
    Z = dask_transform(ae, da.from_array(images, chunks=(777, 4, 8, 3)))  # rechunked
    assert Z.chunks[0] == (777,) * 6 + (338,)
    np.testing.assert_allclose(Z.compute(scheduler="sync"), ae.transform(images),
                               rtol=1e-5, atol=1e-6)


def test_tsne_on_a_cluster(client, images):
    X = images[:1200].reshape(1200, -1).astype(np.float32)
    tsne = TSNETransformer(random_state=0).fit(X[:300])
    Z = client.compute(dask_transform(tsne, da.from_array(X, chunks=(300, 192)))).result()
    np.testing.assert_array_equal(Z[:300], tsne.embedding_)  # training rows: stored
    # new points are placed against a grid shared by the chunk: close, not equal
    expected = tsne.transform(X[300:])
    spread = np.ptp(tsne.embedding_, axis=0)
    assert np.abs(Z[300:] - expected).max() < 0.05 * spread.max()


def test_memmap_stays_memory_mapped(tmp_path, client, images):
    path = tmp_path / "images.npy"
    np.save(path, images)
    data = dask_image_array(path, chunk_size=CHUNK)
    X = data.images
    assert X.shape == images.shape and X.chunks[0] == (CHUNK,) * 5
    # the graph holds the path, not the pixels (a pickled np.memmap would)
    assert len(pickle.dumps(dict(X.__dask_graph__()))) < images.nbytes / 20
    assert len(pickle.dumps(np.load(path, mmap_mode="r"))) > images.nbytes

    seen = []

    class Spy:
        def transform(self, block):
            seen.append(type(block))
            return np.asarray(block, np.float32).reshape(len(block), -1)[:, :2]

    dask_transform(Spy(), X[:CHUNK * 2]).compute(scheduler="sync")
    assert seen[1:] == [np.memmap, np.memmap]  # seen[0]: the zero sample

    ae = _fitted("DenseAutoEncoder", images)
    codes = client.compute(dask_transform(ae, X)).result()
    np.testing.assert_array_equal(codes, ae.transform(images))


def _write_folder(root, n, grey_every=0):
    from PIL import Image

    rng = np.random.RandomState(1)
    for i in range(n):
        img = rng.randint(0, 256, (6, 5, 3)).astype(np.uint8)
        if grey_every and i % grey_every == 0:
            Image.fromarray(img[:, :, 0]).save(root / f"{i:03d}.png")
        else:
            Image.fromarray(img).save(root / f"{i:03d}.png")


def test_folder_reads_chunk_by_chunk(tmp_path, monkeypatch):
    _write_folder(tmp_path, 50, grey_every=7)
    calls = []
    read = _lazy._read_image
    monkeypatch.setattr(_lazy, "_read_image", lambda *a: calls.append(a[0]) or read(*a))
    data = dask_image_folder(tmp_path, chunk_size=16)
    assert calls == []  # headers only
    assert data.images.shape == (50, 6, 5, 3) and data.images.chunks[0] == (16, 16, 16, 2)
    first = data.images[:16].compute(scheduler="sync")
    assert len(calls) == 16
    eager = load_image_folder(tmp_path)
    np.testing.assert_array_equal(first, eager.images[:16])
    np.testing.assert_array_equal(data.images.compute(scheduler="sync"), eager.images)
    assert data.paths.tolist() == eager.paths.tolist()


def test_folder_fast_path_and_its_errors(tmp_path):
    _write_folder(tmp_path, 5)
    data = dask_image_folder(tmp_path, chunk_size=2, resize=(4, 4), color_mode="grey")
    np.testing.assert_array_equal(
        data.images.compute(scheduler="sync"),
        load_image_folder(tmp_path, resize=(4, 4), color_mode="grey").images,
    )
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="Cannot read image file .*bad.png"):
        dask_image_folder(tmp_path)
    lazy = dask_image_folder(tmp_path, resize=(4, 4), color_mode="rgb").images
    with pytest.raises(ValueError, match="Cannot read image file .*bad.png"):
        lazy.compute(scheduler="sync")


@pytest.mark.parametrize("chunk_size", [0, -3, 2.5, True, "10"])
def test_bad_chunk_size(tmp_path, chunk_size):
    np.save(tmp_path / "x.npy", np.zeros((4, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        dask_image_array(tmp_path / "x.npy", chunk_size=chunk_size)
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        dask_image_folder(tmp_path, chunk_size=chunk_size)


def test_array_file_errors(tmp_path):
    np.savez(tmp_path / "x.npz", X=np.zeros((4, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="cannot be memory-mapped"):
        dask_image_array(tmp_path / "x.npz")
    with pytest.raises(FileNotFoundError):
        dask_image_array(tmp_path / "missing.npy")
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    with pytest.raises(TypeError, match="must be numbers"):
        dask_image_array(tmp_path / "s.npy")


def test_helper_errors(images):
    X = da.from_array(images[:100], chunks=(50, 8, 8, 3))
    ae = _fitted("DenseAutoEncoder", images)
    with pytest.raises(TypeError, match="expects a dask array; got ndarray"):
        dask_transform(ae, images)
    with pytest.raises(TypeError, match="DenseAutoEncoder has no predict method"):
        dask_predict(ae, X)
    with pytest.raises(ValueError, match="samples along the first axis"):
        dask_transform(ae, da.zeros(10, chunks=5))
    with pytest.raises(NotFittedError):
        dask_transform(DenseAutoEncoder(), X)
    # a wrong image shape is reported at once, not when the graph runs
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        dask_transform(ae, da.zeros((10, 4, 4, 3), chunks=5, dtype=np.uint8))
