r"""
======================================================
Q5: the linear algebra behind PCA, checked numerically
======================================================

The study's fifth question asks for three proofs:

(a) for any matrix A, both AAᵀ and Aᵀ A are
    symmetric and positive semi-definite, and they have the same non-zero
    eigenvalues;
(b) a covariance matrix Σ = ∑ᵢ λᵢ uᵢ uᵢᵀ can
    be produced by a small set of data points;
(c) the unit vector φ that *minimises* φᵀ Σ φ
    is the eigenvector of the *smallest* eigenvalue.

Proofs cannot be run, but every statement can be checked on random matrices.
This page does that, states where the report's reasoning needs a correction,
and plots the quantity minimised in (c). Nothing is trained; it runs in a
second.
"""

# %%
# (a) Symmetric
# -------------
# (AAᵀ)ᵀ = (Aᵀ)ᵀ Aᵀ = AAᵀ, and likewise for
# Aᵀ A. We check it for a random 5 x 3 matrix (so
# AAᵀ is 5 x 5 and Aᵀ A is 3 x 3).
import matplotlib.pyplot as plt
import numpy as np

np.set_printoptions(precision=4, suppress=True)
rng = np.random.RandomState(0)
A = rng.normal(size=(5, 3))
AAt, AtA = A @ A.T, A.T @ A
print("AA^T symmetric:", np.array_equal(AAt, AAt.T))
print("A^TA symmetric:", np.array_equal(AtA, AtA.T))

# %%
# (a) Positive semi-definite
# --------------------------
# For any vector x, xᵀ AAᵀ x = ‖Aᵀ x‖² ≥ 0.
# The report proves it through the eigenvalues (λ = ‖Aᵀ x‖² / ‖x‖² ≥ 0
# for an eigenvector x), which is
# equivalent for a symmetric matrix. Both checks:
x = rng.normal(size=(5, 10_000))
quadratic = np.einsum("ij,ik,kj->j", x, AAt, x)
print(f"smallest x^T AA^T x over 10 000 random x: {quadratic.min():.4f}")
eig_AAt = np.linalg.eigvalsh(AAt)
eig_AtA = np.linalg.eigvalsh(AtA)
print("eigenvalues of AA^T:", eig_AAt)
print("eigenvalues of A^TA:", eig_AtA)
assert quadratic.min() >= 0 and eig_AAt.min() > -1e-10 and eig_AtA.min() > -1e-10

# %%
# The two tiny values of AAᵀ are zeros up to rounding: a 5 x 5
# matrix of rank 3 has two zero eigenvalues.
#
# (a) The same non-zero eigenvalues
# ---------------------------------
# If AAᵀ x = λ x then
# Aᵀ A (Aᵀ x) = λ (Aᵀ x), so Aᵀ x is an
# eigenvector of Aᵀ A with the same λ — *provided*
# Aᵀ x ≠ 0, which holds exactly when λ ≠ 0
# (since ‖Aᵀ x‖² = λ ‖x‖²). The report omits this
# condition; it is why only the *non-zero* eigenvalues are shared. By symmetry
# of the argument the non-zero eigenvalues coincide with multiplicity, and they
# are the squared singular values of A.
nonzero = eig_AAt[eig_AAt > 1e-10]
print("non-zero eigenvalues of AA^T:", nonzero)
print("eigenvalues of A^TA:        ", eig_AtA)
print("squared singular values:    ", np.sort(np.linalg.svd(A, compute_uv=False) ** 2))
assert np.allclose(nonzero, eig_AtA)

lam, vecs = np.linalg.eigh(AAt)
for value, v in zip(lam, vecs.T, strict=True):
    w = A.T @ v
    if value > 1e-10:
        assert np.allclose(AtA @ w, value * w)
    else:
        assert np.allclose(w, 0)  # the zero eigenvalues: A^T x vanishes
print("A^T x is an eigenvector of A^TA for every non-zero eigenvalue; "
      "A^T x = 0 for the zero ones")

# %%
# (b) Data with a given covariance
# --------------------------------
# Any symmetric positive semi-definite Σ (m x m) is
# ∑ᵢ λᵢ uᵢ uᵢᵀ with orthonormal eigenvectors
# uᵢ. The report then sets n = m points
# xᵢ = μ + √(λᵢ/n) uᵢ. That does not work, for two
# reasons: the points' covariance is then
# (1/n) ∑ᵢ (λᵢ/n) uᵢ uᵢᵀ = Σ / n²
# (the factor must be √(nλᵢ)), and their mean is not
# μ (the uᵢ do not sum to zero), so the covariance around
# their own mean is something else again. A construction that works uses
# 2m points in symmetric pairs,
# x±ᵢ = μ ± √(mλᵢ) uᵢ: their mean is
# μ and their covariance is
# (1/2m) ∑ᵢ 2 m λᵢ uᵢ uᵢᵀ = Σ.
m = 3
B = rng.normal(size=(m, m))
Sigma = B @ B.T                      # a random covariance matrix
mu = rng.normal(size=m)
lam, U = np.linalg.eigh(Sigma)


def covariance(points):
    """Mean and covariance (divided by the number of points) of the rows."""
    centre = points.mean(axis=0)
    return centre, (points - centre).T @ (points - centre) / len(points)


report_points = mu + (np.sqrt(lam / m) * U).T                   # m points
pairs = np.concatenate([mu + (np.sqrt(m * lam) * U).T,
                        mu - (np.sqrt(m * lam) * U).T])         # 2m points
for name, points in [("report's m points", report_points), ("2m symmetric points", pairs)]:
    centre, cov = covariance(points)
    print(f"{name:>20}: mean == mu: {np.allclose(centre, mu)!s:5}, "
          f"covariance == Sigma: {np.allclose(cov, Sigma)}")

# %%
# (c) Minimising the quadratic form on the unit sphere
# ----------------------------------------------------
# With a Lagrange multiplier, the minimiser of φᵀΣφ
# subject to φᵀφ = 1 satisfies Σφ = αφ:
# it is an eigenvector, and the value there is the eigenvalue α.
# The minimum is therefore the smallest eigenvalue, reached at its
# eigenvector. (The report's last line says "the k-th eigenvector"; with the
# eigenvalues sorted in decreasing order it is the *last*, m-th one.) We
# compare with 100 000 random unit vectors, using the covariance matrix of the
# Q4 example:
Sigma = np.array([[12.04, 0.5, 3.28], [0.5, 12.2, 2.9], [3.28, 2.9, 8.16]])
lam, U = np.linalg.eigh(Sigma)
phi = rng.normal(size=(3, 100_000))
phi /= np.linalg.norm(phi, axis=0)
values = np.einsum("ij,ik,kj->j", phi, Sigma, phi)
u_min = U[:, 0]
print(f"smallest eigenvalue:                 {lam[0]:.4f}")
print(f"u_min^T Sigma u_min:                 {u_min @ Sigma @ u_min:.4f}")
print(f"smallest value over random vectors:  {values.min():.4f}")
print(f"largest value over random vectors:   {values.max():.4f}")
print(f"largest eigenvalue:                  {lam[-1]:.4f}")
assert values.min() >= lam[0] - 1e-9 and values.max() <= lam[-1] + 1e-9

# %%
# The random vectors never go below the smallest eigenvalue or above the
# largest one. In two dimensions the whole unit circle can be drawn: with
# φ(θ) = (cos θ, sin θ), the curve
# φᵀΣφ oscillates between the two eigenvalues and
# touches them exactly at the eigenvector directions. The maximiser is the
# first principal axis; the minimiser is the direction PCA drops first.
Sigma2 = Sigma[np.ix_([0, 2], [0, 2])]  # features 1 and 3 of the Q4 data
lam2, U2 = np.linalg.eigh(Sigma2)
theta = np.linspace(0, np.pi, 361)
circle = np.stack([np.cos(theta), np.sin(theta)])
curve = np.einsum("it,ij,jt->t", circle, Sigma2, circle)
angles = np.mod(np.arctan2(U2[1], U2[0]), np.pi)

fig, ax = plt.subplots(figsize=(7, 5))
ax.plot(np.degrees(theta), curve, label=r"$\phi(\theta)^\top \Sigma \phi(\theta)$")
for value, angle, what in zip(lam2, angles, ["smallest", "largest"], strict=True):
    ax.axhline(value, color="grey", linestyle=":", lw=1)
    ax.plot(np.degrees(angle), value, "o", ms=8,
            label=f"eigenvector of the {what} eigenvalue ({value:.2f})")
ax.set_xlabel(r"direction $\theta$ of the unit vector $\phi$ (degrees)")
ax.set_ylabel(r"$\phi^\top \Sigma \phi$")
ax.set_title("The quadratic form on the unit circle\n"
             "(covariance of features 1 and 3 of the Q4 data)")
ax.set_ylim(lam2[0] - 1, lam2[1] + 1)
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
fig.tight_layout()
