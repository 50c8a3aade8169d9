"""Datasets: local copies of emotional-speech corpora -> file paths, labels,
speakers.

Every loader returns a `sklearn.utils.Bunch` whose ``filenames`` feed
`skser.AudioLoader`, whose ``target`` holds labels from one common vocabulary
(`EMOTIONS`), and whose ``groups`` hold speaker ids for speaker-independent
splits (`sklearn.model_selection.StratifiedGroupKFold`, `LeaveOneGroupOut`).
``label_map="crema_d"`` keeps only the six emotions all corpora share with
CREMA-D, for training on one corpus and testing on another.

`fetch_crema_d` downloads CREMA-D into the data home; `make_emotional_speech`
writes a small synthetic corpus for examples and tests, and `join_clips`
joins labelled clips into a long recording of known emotions (for timelines).
"""

from ._base import (
    AUDIO_EXTENSIONS, CREMA_D_EMOTIONS, EMOTIONS, clear_data_home, get_data_home,
)
from ._corpora import (
    load_crema_d, load_emodb, load_folder, load_ravdess, load_savee, load_tess,
)
from ._fetch import DownloadError, fetch_crema_d
from ._recording import join_clips
from ._synthetic import EMOTION_EFFECTS, make_emotional_speech

__all__ = [
    "AUDIO_EXTENSIONS",
    "CREMA_D_EMOTIONS",
    "DownloadError",
    "EMOTIONS",
    "EMOTION_EFFECTS",
    "clear_data_home",
    "fetch_crema_d",
    "get_data_home",
    "join_clips",
    "load_crema_d",
    "load_emodb",
    "load_folder",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "make_emotional_speech",
]
