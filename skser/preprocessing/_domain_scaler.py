"""DomainStandardScaler: standardise features per recording domain.

A model trained on acted studio corpora meets other microphones, rooms,
languages and speakers: its features arrive shifted and stretched as a
whole. Standardising each corpus with its own statistics while training, and
the user's clips with theirs at prediction, removes most of that shift
(cross-corpus speech emotion recognition's standard remedy; issue 22,
``docs/cross_corpus.md``).

Data contract
-------------
X : ``(n_clips, ...)`` with 2 to 4 axes, as `SpeakerStandardScaler` (the same
pooling over clips and frames), float32 stays float32.
domains : ``(n_clips,)``, the recording domain of each clip (any hashable
labels: the corpus of each training clip; one value for a batch of the
user's clips), or None.
output : the same shape and dtype as X.
"""

from sklearn.base import _fit_context
from sklearn.utils.metadata_routing import UNUSED

from ._speaker_scaler import SpeakerStandardScaler

__all__ = ["DomainStandardScaler"]


class DomainStandardScaler(SpeakerStandardScaler):
    """Standardise features per recording domain (a corpus, a user's batch).

    `SpeakerStandardScaler`'s statistics, over the clips of one *domain* at a
    time instead of one speaker's: the domain of each clip is given as
    ``domains``, a metadata key of its own, so that a pipeline can take
    speakers (``groups``, for speaker-grouped inner splits) and domains in
    the same call.

    - ``fit(X, domains=d)`` standardises each training domain (each corpus)
      with its own statistics and keeps the fallback: the average of the
      domains' means and the root-mean of their variances.
    - ``transform(X, domains=d)`` is **transductive**: each domain of ``d``
      is standardised with the statistics of its rows of X, the unlabelled
      clips given at prediction, shrunk toward the fallback when few
      (``prior_clips``). This is adaptation to the user's recordings: pass
      one domain for a batch of clips from one source (a folder, a call
      centre's calls). The statistics then depend on the batch: a batch
      that holds one emotion only is centred on it, and its emotion is
      partly standardised away. Mixed batches of 30 clips or more are what
      ``docs/cross_corpus.md`` measures.
    - ``transform(X)`` without domains uses the fallback, as for a single
      clip from an unknown source.

    Inside a `Pipeline`, ``domains`` reaches the scaler through scikit-learn's
    metadata routing (requested by default in ``fit`` and ``transform``)::

        sklearn.set_config(enable_metadata_routing=True)
        pipe.fit(X, y, domains=corpus_of_each_clip)
        pipe.predict(X_new, domains=np.zeros(len(X_new)))   # adapted
        pipe.predict(X_new)                                  # the fallback

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the domain's mean.
    with_std : bool, default=True
        Divide by the domain's standard deviation.
    prior_clips : float, default=5
        Strength ``k`` of the fallback in a domain's statistics, in clips: a
        domain of ``n`` clips gets weight ``n / (n + k)`` on its own
        statistics (10 clips: two thirds; 100 clips: 95 %).

    Attributes
    ----------
    mean_ : np.ndarray [shape broadcastable to one clip] or None
        Fallback mean, the average of the training domains' means; None when
        ``with_mean=False``.
    var_ : np.ndarray [same shape as mean_] or None
        Fallback variance, the average of the training domains' variances.
    scale_ : np.ndarray [same shape as mean_] or None
        ``sqrt(var_)``, 1 where that is 0.
    n_speakers_ : int
        Number of domains seen in fit (1 without domains); the name is
        `SpeakerStandardScaler`'s.
    n_features_in_ : int
        ``X.shape[1]`` seen in fit.
    input_shape_ : tuple of int
        Shape of one clip seen in fit.

    See Also
    --------
    SpeakerStandardScaler : the same statistics per speaker (``groups``).

    Examples
    --------
    >>> import numpy as np
    >>> from skser import DomainStandardScaler
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (50, 2)), rng.normal(4, 3, (50, 2))])
    >>> corpus = ["studio"] * 50 + ["phone"] * 50
    >>> scaler = DomainStandardScaler().fit(X, domains=corpus)
    >>> user = rng.normal(-6, 2, (100, 2))         # another microphone
    >>> scaler.transform(user).mean(axis=0).round(1)  # the fallback: far off
    array([-3.6, -4.1])
    >>> scaler.transform(user, domains=np.zeros(100)).mean(axis=0).round(1)  # adapted
    array([-0.2, -0.2])
    """

    __metadata_request__fit = {"groups": UNUSED, "domains": True}
    __metadata_request__transform = {"groups": UNUSED, "domains": True}

    _groups_name = "domains"
    _groups_unit = "domain"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, domains=None):
        """Learn the fallback statistics from each training domain's.

        Parameters
        ----------
        X : array-like [shape=(n_clips, ...) with 2 to 4 axes]
            Training features.
        y : ignored
        domains : array-like [shape=(n_clips,)] or None, default=None
            Domain of each clip (its corpus); None treats all clips as one.

        Returns
        -------
        self : DomainStandardScaler
        """
        return self._fit(X, domains)

    def transform(self, X, domains=None):
        """Standardise each domain's clips with that domain's statistics.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]
        domains : array-like [shape=(n_clips,)] or None, default=None
            Domain of each clip; each domain's statistics come from its rows
            of X, shrunk toward the fallback by ``prior_clips``. None
            standardises every clip with the fallback.

        Returns
        -------
        Xt : np.ndarray [same shape and dtype as X]
        """
        return self._transform(X, domains)

    def fit_transform(self, X, y=None, domains=None):
        """Fit, then standardise the training clips as `transform` would.

        Parameters
        ----------
        X : array-like [shape=(n_clips, ...) with 2 to 4 axes]
            Training features.
        y : ignored
        domains : array-like [shape=(n_clips,)] or None, default=None
            Domain of each clip; None treats all clips as one.

        Returns
        -------
        Xt : np.ndarray [same shape and dtype as X]
        """
        return self.fit(X, y, domains=domains).transform(X, domains=domains)
