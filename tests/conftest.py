import numpy as np
import pytest


@pytest.fixture(scope="session")
def rgb_images():
    """40 random 16x16 RGB uint8 images with two groups (dark and bright)."""
    rng = np.random.RandomState(0)
    dark = rng.randint(0, 100, (20, 16, 16, 3))
    bright = rng.randint(150, 256, (20, 16, 16, 3))
    X = np.concatenate([dark, bright]).astype(np.uint8)
    y = np.repeat([0, 1], 20)
    return X, y


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:300].astype(np.float32), y[:300]


@pytest.fixture
def fit_calls(monkeypatch):
    """The class names of the autoencoders fitted during the test, in order."""
    from sk_aecluster.autoencoder import BaseAutoEncoder

    calls = []
    original = BaseAutoEncoder.fit

    def counting_fit(self, X, y=None):
        calls.append(type(self).__name__)
        return original(self, X, y)

    monkeypatch.setattr(BaseAutoEncoder, "fit", counting_fit)
    return calls
