r"""
===============================================
Q4: principal component analysis worked by hand
===============================================

The study's fourth question is a pencil-and-paper exercise: for ten points in
three dimensions,

(a) compute the mean, the covariance matrix, its eigen-decomposition and the
    principal axes;
(b) project every point onto the principal axes;
(c) keep the two most important axes and compute the reconstruction error.

This page redoes the computation with NumPy, step by step, checks every step
against :class:`sklearn.decomposition.PCA`, and compares the result with the
numbers in the report. The report's mean and covariance are right, and its
matrix U of eigenvectors is right too — but it then reads the
principal axes off the *rows* of U instead of its *columns*, which
makes the projections in (b) and the two axes in (c) wrong; it also projects
the raw points instead of the centred ones, and its reconstruction error
(29.76) cannot be reproduced. The correct numbers are below.

Nothing is trained here; the page runs in a second.
"""

# %%
# The data
# --------
# Ten samples (rows) with three features (columns), as in the report.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

np.set_printoptions(precision=3, suppress=True)

X = np.array([
    [1, 2, 3], [4, 8, 5], [3, 12, 9], [1, 8, 5], [5, 14, 2],
    [7, 4, 1], [9, 8, 9], [3, 8, 1], [11, 5, 6], [10, 11, 7],
], dtype=float)
n = len(X)

# %%
# (a) Mean and covariance
# -----------------------
# The report's μ = [5.4, 8, 4.8], its centred matrix
# X - μ and its covariance
# Σ = (1/n) (X-μ)ᵀ (X-μ) are all correct.
mu = X.mean(axis=0)
Xc = X - mu
Sigma = Xc.T @ Xc / n
print("mu =", mu)
print("Sigma =\n", Sigma)

report_Sigma = np.array([[12.04, 0.5, 3.28], [0.5, 12.2, 2.9], [3.28, 2.9, 8.16]])
assert np.allclose(Sigma, report_Sigma)

# %%
# The report divides by n; scikit-learn's ``explained_variance_`` and
# :func:`numpy.cov` divide by n - 1. The eigenvectors are the same;
# the eigenvalues differ by the factor n / (n-1).
assert np.allclose(np.cov(X, rowvar=False) * (n - 1) / n, Sigma)

# %%
# (a) Eigen-decomposition
# -----------------------
# :func:`numpy.linalg.eigh` returns the eigenvalues of a symmetric matrix in
# *ascending* order and the eigenvectors as the *columns* of U, with
# Σ = U Λ Uᵀ.
eigenvalues, U = np.linalg.eigh(Sigma)
print("eigenvalues (ascending):", eigenvalues)
print("U (eigenvectors in columns) =\n", U)
assert np.allclose(U @ np.diag(eigenvalues) @ U.T, Sigma)

# %%
# The report's U and Λ are the same, up to the signs of
# the columns (an eigenvector times -1 is still an eigenvector): the
# decomposition U Λ Uᵀ it writes down is right.
report_U = np.array([
    [0.400, -0.678, -0.617],
    [0.338, 0.734, -0.589],
    [-0.852, -0.027, -0.523],
])
report_eigenvalues = np.array([5.472, 11.631, 15.297])
assert np.allclose(np.abs(report_U), np.abs(U), atol=1e-3)
assert np.allclose(report_eigenvalues, eigenvalues, atol=1e-3)
for k in range(3):  # each *column* of the report's U is an eigenvector
    u = report_U[:, k]
    print(f"column {k}: |Sigma u - lambda u| = "
          f"{np.linalg.norm(Sigma @ u - report_eigenvalues[k] * u):.4f}")

# %%
# **The first mistake.** The report then lists the principal axes as
# ``[0.400, -0.678, -0.617], [0.338, 0.734, -0.589], [-0.852, -0.027, -0.523]``:
# the *rows* of U. Rows of U are not eigenvectors of
# Σ:
for k in range(3):
    r = report_U[k]
    rayleigh = r @ Sigma @ r
    print(f"row {k}: |Sigma r - (r.Sigma.r) r| = {np.linalg.norm(Sigma @ r - rayleigh * r):.3f}"
          "  (not an eigenvector)")

# %%
# The principal axes are the columns, ordered by *decreasing* eigenvalue (the
# variance along each axis):
order = np.argsort(eigenvalues)[::-1]
axes = U[:, order].T          # one principal axis per row, most important first
variances = eigenvalues[order]
for k, (axis, variance) in enumerate(zip(axes, variances, strict=True), start=1):
    print(f"principal axis {k}: {axis}   eigenvalue {variance:.3f} "
          f"({variance / variances.sum():.1%} of the variance)")

# %%
# scikit-learn agrees. ``PCA.components_`` holds the axes as rows in the same
# order; the sign of each axis is a convention (scikit-learn fixes it so that
# the largest coefficient is positive), so we compare up to sign.
pca = PCA(n_components=3).fit(X)
signs = np.sign(np.sum(pca.components_ * axes, axis=1))
assert np.allclose(pca.components_, signs[:, None] * axes)
assert np.allclose(pca.explained_variance_ * (n - 1) / n, variances)
axes = signs[:, None] * axes  # use scikit-learn's signs from here on
print("sklearn components_ =\n", pca.components_)

# %%
# (b) Projections onto the principal axes
# ---------------------------------------
# The coordinates of sample xᵢ along axis uₖ are
# uₖᵀ (xᵢ - μ): the data are centred first. In matrix form the
# n × 3 matrix of projections is (X - μ) U.
Z = Xc @ axes.T
print("projections (one row per sample, one column per principal axis):\n", Z)
assert np.allclose(Z, pca.transform(X))

# %%
# **The second mistake.** The report computes U Xᵀ: rows of
# U (not the axes) times the raw points (not centred). Its numbers are
# indeed that product (up to small slips of arithmetic such as 4.53 for
# 4.521), but they are not the projections:
report_b = report_U @ X.T
print("report's U X^T (transposed to one row per sample):\n", report_b.T)

# %%
# Projecting uncentred points onto the correct axes would only shift each
# column by the constant uₖᵀ μ; projecting onto the wrong
# vectors gives meaningless numbers.
#
# (c) Two axes and the reconstruction error
# -----------------------------------------
# Keeping the two axes of largest variance, W = [u₁, u₂], gives the
# 2-D codes zᵢ = Wᵀ (xᵢ - μ) and the reconstructions
# x̂ᵢ = μ + W zᵢ.
W = axes[:2].T                      # 3 x 2
Z2 = Xc @ W
X_hat = mu + Z2 @ W.T
errors = np.linalg.norm(X - X_hat, axis=1)
print("2-D codes:\n", Z2)
print("per-sample reconstruction error |x_i - x_hat_i|:", errors)
print(f"sum of errors            = {errors.sum():.3f}")
print(f"average error            = {errors.mean():.3f}")
print(f"sum of squared errors    = {np.sum(errors ** 2):.3f}")
print(f"mean squared error       = {np.mean(errors ** 2):.3f}")

pca2 = PCA(n_components=2).fit(X)
assert np.allclose(pca2.inverse_transform(pca2.transform(X)), X_hat)

# %%
# A useful check: what is lost is the component along the third axis, so the
# mean squared error equals the smallest eigenvalue of Σ,
# λ₃ = 5.472, and the sum of squared errors is
# n λ₃ = 54.72.
assert np.isclose(np.mean(errors ** 2), variances[2])

# %%
# **The third mistake.** The report's U′ takes rows 3 and 2 of its
# U — again not eigenvectors; the two most important axes are
# u₁ ≈ ±[0.617, 0.589, 0.523] and
# u₂ ≈ ±[0.678, -0.734, 0.027]. It then writes the error as
# ∑ᵢ ‖(xᵢ - μ) - U′ᵀ U′ xᵢ‖₂, mixing a centred and an
# uncentred vector, and reports 29.76 (average 2.976). Evaluated literally,
# that formula gives neither number, with the raw or the centred points:
U_prime = report_U[[2, 1]]
literal = np.linalg.norm(Xc - (U_prime.T @ U_prime @ X.T).T, axis=1).sum()
centred = np.linalg.norm(Xc - (U_prime.T @ U_prime @ Xc.T).T, axis=1).sum()
print(f"report's formula with its U': {literal:.2f} (as written), "
      f"{centred:.2f} (centred); report: 29.76")

# %%
# The correct values are a total error of **20.48** (average **2.048**) as a
# sum of Euclidean distances, or **54.72** (mean **5.472**, the smallest
# eigenvalue) as a sum of squared distances.
#
# Summary
# -------
# Left, the variance along each principal axis: the first two keep 83% of it.
# Right, the ten points in the plane of the first two axes, with the length of
# the part each loses (its reconstruction error) next to it.
fig, (ax_var, ax_proj) = plt.subplots(1, 2, figsize=(10, 4.2),
                                      gridspec_kw={"width_ratios": [1, 1.6]})
bars = ax_var.bar([f"axis {k}" for k in (1, 2, 3)], variances, color="tab:blue")
ax_var.bar_label(bars, fmt="%.3f")
ax_var.set_xlabel("principal axis")
ax_var.set_ylabel("eigenvalue of Sigma (variance along the axis)")
ax_var.set_ylim(0, 1.15 * variances.max())
ax_var.set_title("Eigenvalues, largest first")

points = ax_proj.scatter(Z2[:, 0], Z2[:, 1], c=errors, cmap="viridis", s=60)
fig.colorbar(points, ax=ax_proj, label="reconstruction error")
for i, (a, b) in enumerate(Z2):
    ax_proj.annotate(f"x{i + 1} ({errors[i]:.2f})", (a, b), textcoords="offset points",
                     xytext=(5, 4), fontsize=8)
ax_proj.axhline(0, color="grey", lw=0.5)
ax_proj.axvline(0, color="grey", lw=0.5)
ax_proj.margins(x=0.18, y=0.12)
ax_proj.set_xlabel("projection on principal axis 1")
ax_proj.set_ylabel("projection on principal axis 2")
ax_proj.set_title("Samples in the plane of the two main axes\n(reconstruction error in brackets)")
fig.tight_layout()
