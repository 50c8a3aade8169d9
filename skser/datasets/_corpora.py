"""Loaders for local copies of emotional-speech corpora.

Each loader reads the labels, speakers and metadata from the file names of a
corpus the user already has (these corpora's licences mostly forbid
redistribution, so skser ships none of them) and returns a
`sklearn.utils.Bunch` ready for a speaker-grouped split.

Data contract
-------------
input : a folder, searched recursively for ``.wav``, ``.flac``, ``.ogg`` and
    ``.mp3`` files (any case) named by the corpus's scheme.
output : Bunch with ``filenames`` ``(n,)`` absolute paths (sorted),
    ``target`` ``(n,)``, ``groups`` ``(n,)`` speaker ids, ``metadata`` a dict
    of ``(n,)`` arrays, and ``target_names``, ``DESCR``, ``corpus``,
    ``excluded``, ``unmatched``. ``filenames`` feed `skser.AudioLoader`.
"""

import re
import textwrap
from dataclasses import replace

from ._base import _Corpus, _load_corpus

__all__ = [
    "load_crema_d",
    "load_emodb",
    "load_folder",
    "load_ravdess",
    "load_savee",
    "load_tess",
]


# ==================================================================== CREMA-D

_CREMA_D_SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
_CREMA_D_CODES = {
    "ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy",
    "NEU": "neutral", "SAD": "sad",
}
_CREMA_D_INTENSITIES = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
# From the corpus's VideoDemographics.csv; every other actor id 1001-1091 is female.
_CREMA_D_MALE = frozenset(
    "1001 1005 1011 1014 1015 1016 1017 1019 1022 1023 1026 1027 1031 1032 1033 "
    "1034 1035 1036 1038 1039 1040 1041 1042 1044 1045 1048 1050 1051 1057 1059 "
    "1062 1064 1065 1066 1067 1068 1069 1070 1071 1077 1080 1081 1083 1085 1086 "
    "1087 1088 1090".split()
)
_CREMA_D_RE = re.compile(r"(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})")


def _crema_d_gender(actor_id):
    """Gender of a CREMA-D actor, as the corpus's demographics table gives it.

    Parameters
    ----------
    actor_id : str
        Actor id ``"1001"`` to ``"1091"`` (an int is accepted too).

    Returns
    -------
    gender : {"female", "male"}
    """
    actor_id = str(actor_id)
    if not (actor_id.isdigit() and 1001 <= int(actor_id) <= 1091):
        raise ValueError(f"CREMA-D actor ids run from 1001 to 1091; got {actor_id!r}.")
    return "male" if actor_id in _CREMA_D_MALE else "female"


def _parse_crema_d(path, root):
    match = _CREMA_D_RE.fullmatch(path.stem)
    if match is None:
        return None
    actor, sentence, code, intensity = match.groups()
    if not (
        1001 <= int(actor) <= 1091 and sentence in _CREMA_D_SENTENCES
        and code in _CREMA_D_CODES and intensity in _CREMA_D_INTENSITIES
    ):
        return None
    return {
        "label": _CREMA_D_CODES[code], "speaker": actor, "emotion_code": code,
        "gender": _crema_d_gender(actor), "sentence": sentence,
        "intensity": _CREMA_D_INTENSITIES[intensity],
    }


_CREMA_D = _Corpus(
    name="crema_d",
    title="CREMA-D",
    scheme=(
        "CREMA-D files named like 1001_DFA_ANG_XX.wav "
        "(<actor 1001-1091>_<sentence>_<ANG|DIS|FEA|HAP|NEU|SAD>_<LO|MD|HI|XX>)"
    ),
    parse=_parse_crema_d,
    columns=("gender", "sentence", "intensity"),
    source=(
        "Download it there with skser.datasets.fetch_crema_d(), or pass path= "
        "the folder holding the CREMA-D audio (AudioWAV in "
        "https://github.com/CheyneyComputerScience/CREMA-D)."
    ),
    descr="""\
CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset
==========================================================

91 actors (48 male, 43 female, aged 20-74, several ethnicities) say 12
English sentences in six emotions; 7442 audio clips in all.

Naming scheme: ``1001_DFA_ANG_XX.wav``
    actor id (1001-1091, the groups), sentence code (IEO, TIE, IOM, IWW, TAI,
    MTI, IWL, ITH, DFA, ITS, TSI, WSI), emotion (ANG angry, DIS disgust,
    FEA fear, HAP happy, NEU neutral, SAD sad), intensity (LO low, MD medium,
    HI high, XX unspecified; only the sentence IEO varies it).

Labels: angry, disgust, fear, happy, neutral, sad (the intended emotion;
crowd-sourced perceived labels are in the corpus's own tables).
Metadata: speaker, emotion_code, gender (from VideoDemographics.csv),
sentence, intensity.

Licence: Open Database License (ODbL) v1.0; contents under the Database
Contents License v1.0.

Citation: Cao, H., Cooper, D. G., Keutmann, M. K., Gur, R. C., Nenkova, A.,
& Verma, R. (2014). CREMA-D: Crowd-sourced Emotional Multimodal Actors
Dataset. IEEE Transactions on Affective Computing, 5(4), 377-390.
""",
)


# ==================================================================== RAVDESS

_RAVDESS_CODES = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad", "05": "angry",
    "06": "fear", "07": "disgust", "08": "surprised",
}
_RAVDESS_MODALITIES = {"01": "audio-video", "02": "video-only", "03": "audio-only"}
_RAVDESS_STATEMENTS = {
    "01": "Kids are talking by the door", "02": "Dogs are sitting by the door",
}
_RAVDESS_RE = re.compile(
    r"(0[1-3])-(0[12])-(0[1-8])-(0[12])-(0[12])-(0[12])-(0[1-9]|1\d|2[0-4])"
)


def _parse_ravdess(path, root):
    match = _RAVDESS_RE.fullmatch(path.stem)
    if match is None:
        return None
    modality, channel, code, intensity, statement, repetition, actor = match.groups()
    return {
        "label": _RAVDESS_CODES[code], "speaker": actor, "emotion_code": code,
        "gender": "male" if int(actor) % 2 else "female",
        "modality": _RAVDESS_MODALITIES[modality],
        "vocal_channel": "speech" if channel == "01" else "song",
        "intensity": "normal" if intensity == "01" else "strong",
        "statement": _RAVDESS_STATEMENTS[statement],
        "repetition": int(repetition),
    }


_RAVDESS = _Corpus(
    name="ravdess",
    title="RAVDESS",
    scheme=(
        "RAVDESS files named like 03-01-05-01-02-01-12.wav or .flac "
        "(<modality>-<channel>-<emotion 01-08>-<intensity>-<statement>-"
        "<repetition>-<actor 01-24>)"
    ),
    parse=_parse_ravdess,
    columns=("gender", "modality", "vocal_channel", "intensity", "statement",
             "repetition"),
    source=(
        "Pass path= the folder holding the RAVDESS audio "
        "(Audio_Speech_Actors_01-24.zip from https://zenodo.org/record/1188976, "
        "extracted), or extract it into that folder."
    ),
    descr="""\
RAVDESS: The Ryerson Audio-Visual Database of Emotional Speech and Song
=======================================================================

24 professional actors (12 male, 12 female) speak two matched English
statements in eight emotions, each at two intensities (neutral at one) and
twice. The speech part is 1440 files; the song part adds sung clips.

Naming scheme: ``03-01-05-01-02-01-12.wav`` (the 16 kHz copies are .flac)
    modality (01 audio-video, 02 video-only, 03 audio-only),
    vocal channel (01 speech, 02 song),
    emotion (01 neutral, 02 calm, 03 happy, 04 sad, 05 angry, 06 fear,
    07 disgust, 08 surprised), intensity (01 normal, 02 strong),
    statement (01 "Kids are talking by the door", 02 "Dogs are sitting by
    the door"), repetition (01, 02), actor (01-24; odd male, even female).

Labels: neutral, calm, happy, sad, angry, fear, disgust, surprised.
Metadata: speaker, emotion_code, gender, modality, vocal_channel, intensity,
statement, repetition.

Licence: Creative Commons Attribution-NonCommercial-ShareAlike 4.0
(CC BY-NC-SA 4.0).

Citation: Livingstone, S. R., & Russo, F. A. (2018). The Ryerson
Audio-Visual Database of Emotional Speech and Song (RAVDESS): A dynamic,
multimodal set of facial and vocal expressions in North American English.
PLoS ONE, 13(5), e0196391.
""",
)


# ======================================================================= TESS

_TESS_CODES = {
    "angry": "angry", "disgust": "disgust", "fear": "fear", "happy": "happy",
    "neutral": "neutral", "ps": "surprised", "sad": "sad",
}
_TESS_AGES = {"OAF": 64, "YAF": 26}


def _parse_tess(path, root):
    # Copies differ in case ("Fear" for "fear"), so names are compared
    # case-insensitively. Folder names vary too ("YAF_pleasant_surprised" holds
    # YAF_*_ps.wav), so only the file name is read.
    parts = path.stem.split("_")
    if len(parts) < 3:
        return None
    speaker, code = parts[0].upper(), parts[-1]
    # The published corpus misnames one file OA_bite_neutral.wav; left as is it
    # would become a third speaker with a single clip.
    if speaker == "OA":
        speaker = "OAF"
    word = "_".join(parts[1:-1]).lower()
    if speaker not in _TESS_AGES or code.lower() not in _TESS_CODES or not word:
        return None
    return {
        "label": _TESS_CODES[code.lower()], "speaker": speaker, "emotion_code": code,
        "gender": "female", "age": _TESS_AGES[speaker], "word": word,
    }


_TESS = _Corpus(
    name="tess",
    title="TESS",
    scheme=(
        "TESS files named like OAF_back_angry.wav or YAF_bath_ps.wav "
        "(<OAF|YAF>_<word>_<angry|disgust|fear|happy|neutral|ps|sad>)"
    ),
    parse=_parse_tess,
    columns=("gender", "age", "word"),
    source=(
        "Pass path= the folder holding the TESS audio "
        "(https://doi.org/10.5683/SP2/E8H2MF), or extract it into that folder."
    ),
    descr="""\
TESS: Toronto Emotional Speech Set
==================================

Two actresses, aged 64 (OAF) and 26 (YAF), say "Say the word ___" with 200
target words from the NU-6 list, in seven emotions: 2800 files, 2 speakers.

Naming scheme: ``OAF_back_angry.wav``, ``YAF_bath_ps.wav``
    speaker (OAF older, YAF younger; both female), the word, emotion
    (angry, disgust, fear, happy, neutral, ps pleasant surprise, sad).
    Parsed case-insensitively from the file name, whatever the folders are
    called; the one misnamed file OA_bite_neutral.wav is read as OAF.

Labels: angry, disgust, fear, happy, neutral, surprised, sad.
Metadata: speaker, emotion_code, gender, age, word.
With only two speakers, speaker-independent evaluation is two folds.

Licence: Creative Commons Attribution-NonCommercial-NoDerivatives 4.0
(CC BY-NC-ND 4.0).

Citation: Dupuis, K., & Pichora-Fuller, M. K. (2010). Toronto Emotional
Speech Set (TESS). University of Toronto, Psychology Department. Borealis
dataverse, https://doi.org/10.5683/SP2/E8H2MF.
""",
)


# ====================================================================== EmoDB

_EMODB_CODES = {
    "W": "angry", "L": "boredom", "E": "disgust", "A": "fear", "F": "happy",
    "T": "sad", "N": "neutral",
}
_EMODB_MALE = frozenset({"03", "10", "11", "12", "15"})
_EMODB_RE = re.compile(
    r"(03|08|09|10|11|12|13|14|15|16)(a0[1-7]|b0[1-9]|b10)([WLEAFTN])([a-z])"
)


def _parse_emodb(path, root):
    match = _EMODB_RE.fullmatch(path.stem)
    if match is None:
        return None
    speaker, sentence, code, version = match.groups()
    return {
        "label": _EMODB_CODES[code], "speaker": speaker, "emotion_code": code,
        "gender": "male" if speaker in _EMODB_MALE else "female",
        "sentence": sentence, "version": version,
    }


_EMODB = _Corpus(
    name="emodb",
    title="EmoDB",
    scheme=(
        "EmoDB files named like 03a01Fa.wav (<speaker 03|08-16><text a01-a07|"
        "b01-b10><emotion W|L|E|A|F|T|N><version a-z>)"
    ),
    parse=_parse_emodb,
    columns=("gender", "sentence", "version"),
    source=(
        "Pass path= the folder holding the EmoDB audio "
        "(http://emodb.bilderbar.info/), or extract it into that folder."
    ),
    descr="""\
EmoDB: Berlin Database of Emotional Speech
==========================================

Ten actors (5 male, 5 female) say ten everyday German sentences in seven
emotions; 535 utterances kept after a perception test, 10 speakers.

Naming scheme: ``03a01Fa.wav``
    speaker (03, 08, 09, 10, 11, 12, 13, 14, 15, 16; male 03 10 11 12 15,
    female 08 09 13 14 16), text code (a01-a07, b01-b10), emotion letter
    from German (W Wut angry, L Langeweile boredom, E Ekel disgust,
    A Angst fear, F Freude happy, T Trauer sad, N neutral), version (a-z).

Labels: angry, boredom, disgust, fear, happy, neutral, sad.
Metadata: speaker, emotion_code, gender, sentence, version.

Licence: free for research use.

Citation: Burkhardt, F., Paeschke, A., Rolfes, M., Sendlmeier, W. F., &
Weiss, B. (2005). A database of German emotional speech. Proceedings of
Interspeech 2005, 1517-1520.
""",
)


# ====================================================================== SAVEE

_SAVEE_CODES = {
    "a": "angry", "d": "disgust", "f": "fear", "h": "happy", "n": "neutral",
    "sa": "sad", "su": "surprised",
}
_SAVEE_SPEAKERS = frozenset({"DC", "JE", "JK", "KL"})
_SAVEE_RE = re.compile(r"(?:(DC|JE|JK|KL)_)?(a|d|f|h|n|sa|su)(\d\d)")


def _parse_savee(path, root):
    match = _SAVEE_RE.fullmatch(path.stem)
    if match is None:
        return None
    speaker, code, number = match.groups()
    # The original layout, AudioData/DC/a01.wav, names the speaker only in the
    # folder; the flat Kaggle copy writes it into the name, DC_a01.wav.
    if speaker is None:
        speaker = path.parent.name
        if speaker not in _SAVEE_SPEAKERS:
            return None
    # 15 takes per emotion, 30 for neutral: anything else is not a SAVEE clip.
    if not 1 <= int(number) <= (30 if code == "n" else 15):
        return None
    return {
        "label": _SAVEE_CODES[code], "speaker": speaker, "emotion_code": code,
        "gender": "male", "number": int(number),
    }


_SAVEE = _Corpus(
    name="savee",
    title="SAVEE",
    scheme=(
        "SAVEE files named like DC/a01.wav (the original AudioData/<speaker>/ "
        "layout) or DC_a01.wav (flat), with speaker DC|JE|JK|KL and emotion "
        "a|d|f|h|n|sa|su before a two-digit number"
    ),
    parse=_parse_savee,
    columns=("gender", "number"),
    source=(
        "Pass path= the folder holding the SAVEE audio "
        "(http://kahlan.eps.surrey.ac.uk/savee/), or extract it into that folder."
    ),
    descr="""\
SAVEE: Surrey Audio-Visual Expressed Emotion
============================================

Four male speakers (DC, JE, JK, KL), British English, read phonetically
balanced TIMIT sentences in seven emotions: 480 files, 4 speakers (120 each:
15 per emotion, 30 neutral).

Naming scheme: ``AudioData/DC/a01.wav`` (original: speaker is the folder) or
``DC_a01.wav`` (flat copies such as Kaggle's)
    emotion code (a anger, d disgust, f fear, h happiness, n neutral,
    sa sadness, su surprise) and a two-digit take number within the emotion.

Labels: angry, disgust, fear, happy, neutral, sad, surprised.
Metadata: speaker, emotion_code, gender, number.

Licence: free for research use (registration with the University of Surrey).

Citation: Haq, S., & Jackson, P. J. B. (2010). Multimodal emotion
recognition. In W. Wang (Ed.), Machine Audition: Principles, Algorithms and
Systems (pp. 398-423). IGI Global. University of Surrey.
""",
)

# ===================================================================== folder

# load_folder fills in the scheme and the parser, which depend on its arguments.
_FOLDER = _Corpus(
    name="folder",
    title="label-folder",
    scheme="",
    parse=None,
    check_duplicates=False,
    descr="""\
Audio files in one sub-folder per label
=======================================

Loaded with skser.datasets.load_folder: each file's label is the name of the
sub-folder it is in; speakers come from speaker_pattern when one is given.
Licence and citation: those of the recordings' source.
""",
)

# Tried on names that fit none of a loader's scheme, to name the right loader.
_NAMED_CORPORA = (_CREMA_D, _RAVDESS, _TESS, _EMODB, _SAVEE)


def _others(corpus):
    return tuple(c for c in _NAMED_CORPORA if c is not corpus)


# ================================================================== loaders
#
# The five named loaders share one docstring, filled from what differs
# (`_loader_doc`): a corpus is one `_Corpus` entry above and one thin
# function below.


def _paragraph(text, indent):
    """``text`` wrapped to 79 columns at ``indent`` spaces."""
    return textwrap.fill(" ".join(text.split()), width=79, initial_indent=" " * indent,
                         subsequent_indent=" " * indent, break_on_hyphens=False)


def _loader_doc(*, name, summary, intro=None, layout, labels, crema_d, scheme, groups,
                metadata, see_also=None, example):
    """The numpydoc docstring of ``load_<name>``."""
    lines = [summary, ""]
    if intro:
        lines += [_paragraph(intro, 0), ""]
    lines += [
        "Parameters", "----------",
        "path : str, os.PathLike or None, default=None",
        _paragraph(f"Folder holding the audio files ({layout}), searched recursively. None "
                   f'means ``get_data_home(data_home) / "{name}"``'
                   + (f", where `{see_also}` puts it." if see_also else "."), 4),
        "data_home : str, os.PathLike or None, default=None",
        _paragraph("Used only when ``path`` is None; see `get_data_home`.", 4),
        'label_map : None, "crema_d" or dict, default=None',
        _paragraph(f'None keeps the labels {labels}. ``"crema_d"`` keeps {crema_d}. A dict '
                   "``{label: new_label or None}`` renames labels or, with None, leaves "
                   "their files out; labels it does not name are kept as they are. Files "
                   "left out are listed in ``excluded`` and reported in a `UserWarning`.", 4),
        'on_unmatched : {"raise", "warn"}, default="raise"',
        _paragraph(f"What to do with audio files whose names {scheme}: raise a ValueError "
                   "naming them, or skip them with a `UserWarning` and list them in "
                   "``unmatched``.", 4),
        "", "Returns", "-------",
        "data : sklearn.utils.Bunch",
        "    filenames : np.ndarray of str [shape=(n,)]",
        "        Absolute paths, sorted.",
        "    target : np.ndarray of str [shape=(n,)]",
        "        Emotion labels after ``label_map``.",
        "    target_names : np.ndarray of str [shape=(n_labels,)]",
        "        Sorted unique labels.",
        "    groups : np.ndarray of str [shape=(n,)]",
        _paragraph(groups, 8),
        "    metadata : dict of np.ndarray [shape=(n,)]",
        _paragraph(metadata + " ``pandas.DataFrame(data.metadata)`` works.", 8),
        "    DESCR : str",
        "        The corpus, its naming scheme, size, licence and citation.",
        "    corpus : str",
        f'        ``"{name}"``.',
        "    excluded, unmatched : np.ndarray of str",
        '        Paths left out by ``label_map`` and by ``on_unmatched="warn"``.',
        "", "Raises", "------",
        "FileNotFoundError", "    The folder does not exist.",
        "NotADirectoryError", "    ``path`` is a file.",
        "ValueError",
        _paragraph('The folder holds no audio files, or (with ``on_unmatched="raise"``) '
                   "some audio file names do not fit the scheme.", 4),
    ]
    if see_also:
        lines += ["", "See Also", "--------",
                  f"{see_also} : Download the corpus into the data home."]
    path, expression, output = example
    lines += ["", "Examples", "--------",
              f">>> from skser.datasets import load_{name}",
              f'>>> data = load_{name}("{path}")  # doctest: +SKIP',
              f">>> {expression}  # doctest: +SKIP", output]
    return "\n".join(lines) + "\n"


def _documented(**fields):
    def decorate(function):
        function.__doc__ = _loader_doc(**fields)
        return function
    return decorate


@_documented(
    name="crema_d", summary="Load a local copy of CREMA-D (7442 clips, 91 speakers, 6 emotions).",
    layout="e.g. the corpus's ``AudioWAV``",
    labels="angry, disgust, fear, happy, neutral, sad", crema_d="only those six (here: all)",
    scheme="do not fit the scheme ``1001_DFA_ANG_XX.wav``",
    groups='Actor ids ``"1001"``-``"1091"``, for speaker-grouped splits.',
    metadata='``speaker``, ``emotion_code`` (``"ANG"``, ...), ``gender`` (``"female"``/'
             '``"male"``), ``sentence`` (``"DFA"``, ...), ``intensity`` (``"low"``, '
             '``"medium"``, ``"high"``, ``"unspecified"``).',
    see_also="fetch_crema_d",
    example=("CREMA-D/AudioWAV", "data.filenames.shape, data.target_names",
             "((7442,), array(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad'], "
             "dtype='<U7'))"))
def load_crema_d(path=None, *, data_home=None, label_map=None, on_unmatched="raise"):
    return _load_corpus(_CREMA_D, path, data_home=data_home, label_map=label_map,
                        on_unmatched=on_unmatched, others=_others(_CREMA_D))


@_documented(
    name="ravdess",
    summary="Load a local copy of RAVDESS (speech: 1440 files, 24 speakers, 8 emotions).",
    intro="Speech and song files are both loaded when the folder holds both; select with "
          '``data.metadata["vocal_channel"]``.',
    layout="e.g. the ``Actor_NN`` folders",
    labels="neutral, calm, happy, sad, angry, fear, disgust, surprised",
    crema_d="only CREMA-D's six, leaving out calm and surprised",
    scheme="do not fit the scheme ``03-01-05-01-02-01-12.wav``",
    groups='Actor ids ``"01"``-``"24"``.',
    metadata='``speaker``, ``emotion_code`` (``"01"``-``"08"``), ``gender`` (odd actors '
             'male, even female), ``modality``, ``vocal_channel`` (``"speech"``/'
             '``"song"``), ``intensity`` (``"normal"``/``"strong"``), ``statement`` (the '
             "sentence's text), ``repetition`` (int, 1 or 2).",
    example=("ravdess-speech-16k", "data.filenames.shape, len(set(data.groups))",
             "((1440,), 24)"))
def load_ravdess(path=None, *, data_home=None, label_map=None, on_unmatched="raise"):
    return _load_corpus(_RAVDESS, path, data_home=data_home, label_map=label_map,
                        on_unmatched=on_unmatched, others=_others(_RAVDESS))


@_documented(
    name="tess", summary="Load a local copy of TESS (2800 files, 2 speakers, 7 emotions).",
    layout="any sub-folder layout",
    labels="angry, disgust, fear, happy, neutral, surprised (from ``ps``, pleasant "
           "surprise), sad",
    crema_d="only CREMA-D's six, leaving out surprised",
    scheme="do not fit the scheme ``OAF_back_angry.wav``",
    groups='``"OAF"`` or ``"YAF"``.',
    metadata='``speaker``, ``emotion_code`` (as written: ``"angry"``, ``"Fear"``, '
             '``"ps"``, ...), ``gender`` (``"female"``), ``age`` (int, 64 or 26), '
             "``word`` (lower case).",
    example=("TESS Toronto emotional speech set data",
             "data.filenames.shape, sorted(set(data.groups))", "((2800,), ['OAF', 'YAF'])"))
def load_tess(path=None, *, data_home=None, label_map=None, on_unmatched="raise"):
    return _load_corpus(_TESS, path, data_home=data_home, label_map=label_map,
                        on_unmatched=on_unmatched, others=_others(_TESS))


@_documented(
    name="emodb", summary="Load a local copy of EmoDB (535 files, 10 speakers, 7 emotions).",
    layout="e.g. the corpus's ``wav``",
    labels="angry, boredom, disgust, fear, happy, neutral, sad",
    crema_d="only CREMA-D's six, leaving out boredom",
    scheme="do not fit the scheme ``03a01Fa.wav``",
    groups='Speaker ids ``"03"``, ``"08"``-``"16"``.',
    metadata='``speaker``, ``emotion_code`` (the German initial: ``"W"``, ``"L"``, ...), '
             '``gender``, ``sentence`` (``"a01"``-``"b10"``), ``version`` (``"a"``, '
             '``"b"``, ...).',
    example=("emodb/wav", "data.filenames.shape, data.target_names.size", "((535,), 7)"))
def load_emodb(path=None, *, data_home=None, label_map=None, on_unmatched="raise"):
    return _load_corpus(_EMODB, path, data_home=data_home, label_map=label_map,
                        on_unmatched=on_unmatched, others=_others(_EMODB))


@_documented(
    name="savee", summary="Load a local copy of SAVEE (480 files, 4 speakers, 7 emotions).",
    intro="Reads both layouts in circulation: the original ``AudioData/DC/a01.wav`` "
          "(speaker from the folder) and the flat ``DC_a01.wav``.",
    layout="e.g. ``AudioData``, or one speaker's folder",
    labels="angry, disgust, fear, happy, neutral, sad, surprised",
    crema_d="only CREMA-D's six, leaving out surprised",
    scheme="fit neither layout",
    groups='``"DC"``, ``"JE"``, ``"JK"`` or ``"KL"``.',
    metadata='``speaker``, ``emotion_code`` (``"a"``, ``"sa"``, ...), ``gender`` '
             '(``"male"``), ``number`` (int, the take within the emotion: 1-15, 1-30 for '
             "neutral).",
    example=("AudioData", "data.filenames.shape, sorted(set(data.groups))",
             "((480,), ['DC', 'JE', 'JK', 'KL'])"))
def load_savee(path=None, *, data_home=None, label_map=None, on_unmatched="raise"):
    return _load_corpus(_SAVEE, path, data_home=data_home, label_map=label_map,
                        on_unmatched=on_unmatched, others=_others(_SAVEE))


def load_folder(path, *, label_map=None, on_unmatched="raise", speaker_pattern=None):
    """Load any corpus laid out as one sub-folder per label.

    ``path/<label>/<clip>.wav``: the label is the sub-folder's name, exactly
    as written (not lower-cased). Audio files directly in ``path`` or nested
    deeper than one level are unmatched files.

    Parameters
    ----------
    path : str or os.PathLike
        The root folder, holding one sub-folder per label.
    label_map : None, "crema_d" or dict, default=None
        None keeps the folder names as labels. ``"crema_d"`` keeps only
        folders named angry, disgust, fear, happy, neutral or sad. A dict
        ``{label: new_label or None}`` renames labels or, with None, leaves
        their files out; labels it does not name are kept. Files left out
        are listed in ``excluded`` and reported in a `UserWarning`.
    on_unmatched : {"raise", "warn"}, default="raise"
        What to do with audio files outside the ``<label>/<clip>`` layout (or
        whose names ``speaker_pattern`` does not match): raise a ValueError
        naming them, or skip them with a `UserWarning` and list them in
        ``unmatched``.
    speaker_pattern : str, re.Pattern or None, default=None
        A regular expression with one capturing group, searched for in each
        file name without its extension (`re.search`); the group is the
        speaker id. For example ``r"^(\\d+)_"`` reads ``"1001"`` from
        ``1001_take3.wav``. None leaves the speakers unknown.

    Returns
    -------
    data : sklearn.utils.Bunch
        filenames : np.ndarray of str [shape=(n,)]
            Absolute paths, sorted.
        target : np.ndarray of str [shape=(n,)]
            Folder names after ``label_map``.
        target_names : np.ndarray of str [shape=(n_labels,)]
            Sorted unique labels.
        groups : np.ndarray of str [shape=(n,)] or None
            Speaker ids from ``speaker_pattern``; None without one.
        metadata : dict of np.ndarray [shape=(n,)]
            ``speaker`` (None entries, dtype object, without
            ``speaker_pattern``) and ``emotion_code`` (the folder name).
        DESCR : str
            What was loaded.
        corpus : str
            ``"folder"``.
        excluded, unmatched : np.ndarray of str
            Paths left out by ``label_map`` and by ``on_unmatched="warn"``.

    Raises
    ------
    FileNotFoundError
        The folder does not exist.
    NotADirectoryError
        ``path`` is a file.
    ValueError
        The folder holds no audio files, ``speaker_pattern`` is not a regular
        expression with one group, or (with ``on_unmatched="raise"``) some
        audio files are outside the layout.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from skser.datasets import load_folder
    >>> with tempfile.TemporaryDirectory() as root:
    ...     for label, name in [("angry", "s1_a.wav"), ("calm", "s2_b.wav")]:
    ...         (Path(root) / label).mkdir()
    ...         sf.write(Path(root) / label / name, np.zeros(160), 16000)
    ...     data = load_folder(root, speaker_pattern=r"^(s\\d+)_")
    >>> data.target.tolist(), data.groups.tolist()
    (['angry', 'calm'], ['s1', 's2'])
    """
    if path is None:
        raise ValueError(
            "load_folder needs path, the root folder holding one sub-folder per label."
        )
    regex = _compile_speaker_pattern(speaker_pattern)
    scheme = (
        "audio files one level down, in one sub-folder per label "
        "(<label>/<clip>.wav, e.g. angry/clip01.wav)"
    )
    if regex is not None:
        scheme += f", whose names match speaker_pattern {regex.pattern!r}"

    def parse(file, root):
        parts = file.relative_to(root).parts
        if len(parts) != 2:
            return None
        speaker = None
        if regex is not None:
            match = regex.search(file.stem)
            if match is None or not match.group(1):
                return None
            speaker = match.group(1)
        return {"label": parts[0], "speaker": speaker, "emotion_code": parts[0]}

    corpus = replace(_FOLDER, scheme=scheme, parse=parse)
    return _load_corpus(
        corpus, path, label_map=label_map, on_unmatched=on_unmatched,
        others=_NAMED_CORPORA,
    )


def _compile_speaker_pattern(speaker_pattern):
    if speaker_pattern is None:
        return None
    if not isinstance(speaker_pattern, (str, re.Pattern)):
        raise TypeError(
            f"speaker_pattern must be a regular expression (str or re.Pattern) or "
            f"None; got {type(speaker_pattern).__name__}."
        )
    try:
        regex = re.compile(speaker_pattern)
    except re.error as exc:
        raise ValueError(
            f"speaker_pattern {speaker_pattern!r} is not a valid regular expression: {exc}."
        ) from exc
    if regex.groups != 1:
        raise ValueError(
            f"speaker_pattern must have exactly one capturing group, the speaker id "
            f"(e.g. r'^(\\d+)_'); {regex.pattern!r} has {regex.groups}."
        )
    return regex
