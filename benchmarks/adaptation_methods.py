"""Other ways to adapt to a corpus, beside per-domain standardisation (exploratory).

    python benchmarks/adaptation_methods.py     # a few minutes once transfer_search ran

On the features of `transfer_search.py` (its cache), the pretrained
recipe's columns, leave one corpus out, trained on the other two corpora's
clips and altered copies: UA on the held-out corpus for

- ``per-domain z``: each corpus standardised with its own statistics (what
  `DomainStandardScaler` and ``--adapt`` do);
- ``whitening s``: each corpus's whole covariance aligned (CORAL-style ZCA
  whitening after standardisation, the covariance shrunk toward its
  diagonal by ``s``);
- ``speakers in training``: training clips standardised per speaker, the
  held-out corpus per domain;
- ``self-training k``: ``k`` rounds of refitting on the training clips and
  the most confident half of each predicted class of the held-out corpus.

Exploratory: every method is scored on the held-out corpora themselves, so
these figures rank ideas for later work; none chose anything in skser.
"""

import argparse

import numpy as np

import cross_corpus
import transfer_search

RECIPE = "eGeMAPS-like, no deltas"


def standardise(X):
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def per_group(X, groups):
    out = np.empty_like(X)
    for g in np.unique(groups):
        out[groups == g] = standardise(X[groups == g])
    return out


def whiten(X, shrink):
    Xc = X - X.mean(axis=0)
    cov = np.cov(Xc, rowvar=False)
    cov = (1 - shrink) * cov + shrink * np.diag(np.diag(cov))
    values, vectors = np.linalg.eigh(cov + 1e-6 * np.mean(np.diag(cov)) * np.eye(len(cov)))
    return Xc @ vectors @ np.diag(1 / np.sqrt(np.maximum(values, 1e-12))) @ vectors.T


def main(argv=None):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", choices=list(cross_corpus.CLASS_SETS), default="4")
    args = parser.parse_args(argv)
    labels = cross_corpus.CLASS_SETS[args.classes]
    data = cross_corpus.load_corpora()
    features, speakers = {}, {}
    for corpus in cross_corpus.CORPORA:
        X, y, X_test, y_test, names = transfer_search.extract(data, corpus, quick=False)
        features[corpus] = (X, y, X_test, y_test)
        speakers[corpus] = np.tile(data.groups[data.corpus == corpus],
                                   1 + transfer_search.N_COPIES)
    settings, C = transfer_search.CANDIDATES[RECIPE]
    cols = transfer_search.columns(names, settings)

    def fit(X, y):
        return LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, y)

    scores = {}
    for held_out in cross_corpus.CORPORA:
        parts = []
        for corpus in cross_corpus.CORPORA:
            if corpus == held_out:
                continue
            X, y, _, _ = features[corpus]
            keep = np.isin(y, labels)
            parts.append((X[keep][:, cols].astype(float), y[keep], speakers[corpus][keep]))
        _, _, X_test, y_test = features[held_out]
        keep = np.isin(y_test, labels)
        X_test, y_test = X_test[keep][:, cols].astype(float), y_test[keep]
        y_train = np.concatenate([p[1] for p in parts])

        def score(name, model, X):
            scores.setdefault(name, []).append(
                100 * balanced_accuracy_score(y_test, model.predict(X)))

        X_train = np.concatenate([standardise(p[0]) for p in parts])
        X_adapted = standardise(X_test)
        model = fit(X_train, y_train)
        score("per-domain z", model, X_adapted)
        for shrink in (0.5, 0.9):
            score(f"whitening {shrink}",
                  fit(np.concatenate([whiten(standardise(p[0]), shrink) for p in parts]),
                      y_train), whiten(X_adapted, shrink))
        score("speakers in training",
              fit(np.concatenate([per_group(p[0], p[2]) for p in parts]), y_train), X_adapted)
        for rounds in (1, 2):
            current = model
            for _ in range(rounds):
                proba = current.predict_proba(X_adapted)
                predicted = current.classes_[proba.argmax(axis=1)]
                confident = np.zeros(y_test.size, dtype=bool)
                for label in current.classes_:
                    idx = np.flatnonzero(predicted == label)
                    confident[idx[np.argsort(-proba.max(axis=1)[idx])[:max(1, idx.size // 2)]]] = True
                current = fit(np.concatenate([X_train, X_adapted[confident]]),
                              np.concatenate([y_train, predicted[confident]]))
            score(f"self-training {rounds}", current, X_adapted)
    corpora = list(cross_corpus.CORPORA)
    print(f"{args.classes} classes, {RECIPE}, UA % per held-out corpus "
          f"({', '.join(corpora)}) and mean")
    for name, values in scores.items():
        print(f"  {name:22s} " + " ".join(f"{v:5.1f}" for v in values)
              + f"   mean {np.mean(values):.1f}")


if __name__ == "__main__":
    main()
