"""Map positions: a 2D projection of the article vectors (PCA), byte-stable.

In: (n, d) vectors, optionally the rows whose spread picks the axes (topic centroids).
Out: (n, 2) positions in [-1, 1], rounded to 4 places.
"""

from __future__ import annotations

import numpy as np


def project_2d(
    vectors: np.ndarray, random_state: int = 0, fit_on: np.ndarray | None = None
) -> np.ndarray:
    """(n, 2) PCA positions scaled into [-1, 1] and rounded, so output is byte-stable.

    With ``fit_on`` (e.g. topic centroids, at least 3) the axes are those that spread those
    rows most, so that topics separate better than on the axes of all the articles.
    """
    from sklearn.decomposition import PCA  # imported only when there is something to place
    from threadpoolctl import threadpool_limits

    x = np.asarray(vectors, dtype=np.float64)
    n = x.shape[0]
    xy = np.zeros((n, 2))
    basis = x if fit_on is None or len(fit_on) < 3 else np.asarray(fit_on, dtype=np.float64)
    if len(basis) and not np.ptp(basis, axis=0).any():  # no spread to find axes in
        basis = x
    if n >= 2 and x.shape[1] >= 1 and np.ptp(x, axis=0).any():  # else all at the centre
        k = min(2, len(basis), x.shape[1])
        solver = "full" if len(basis) <= 5000 else "randomized"  # seeded; few topics only
        with threadpool_limits(1 if len(basis) <= 5000 else None, user_api="blas"):
            pca = PCA(k, svd_solver=solver, random_state=random_state).fit(basis)
        xy[:, :k] = pca.transform(x)
    scale = float(np.abs(xy).max()) if n else 0.0
    if scale > 0:
        xy /= scale
    return np.round(xy, 4) + 0.0
