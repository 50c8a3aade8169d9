"""Progress bars, and a parallel map with an optional one, shared by the
loader, the feature steps, the classifier and the corpus download.

Every bar comes from `progress_bar`, which draws nothing when standard error
is not a terminal: tqdm redraws a bar by writing a carriage return and the
whole bar again, several times a second, and in a log file or a pipe (a
batch job, CI) every one of those frames stays. The command line's own
progress lines are plain lines, so a log still shows what happened. A Jupyter
notebook still gets its widget.

joblib's ``return_as="generator"`` yields results in input order as they
finish, so a tqdm bar in the calling process can follow work that runs in
worker processes, and the bar costs nothing when it is off.

``n_jobs=1`` always runs the tasks here, in the calling process, whatever
joblib backend is active. joblib's own ``n_jobs=1`` shortcut asks the backend
how many workers it has, and the Dask backend answers with the cluster's
thread count for any ``n_jobs``; without this, a step inside a
``GridSearchCV`` task on a Dask worker could not be kept in that task.
"""

from joblib import Parallel

__all__ = ["parallel_map", "progress_bar"]


def parallel_map(
    tasks, *, n_jobs, total, verbose=0, desc=None, unit="it", weights=None, prefer="threads",
):
    """Run joblib ``delayed`` tasks and return their results as a list.

    Parameters
    ----------
    tasks : iterable of joblib delayed calls
    n_jobs : int or None
        As in `joblib.Parallel`, except that 1 runs the tasks in this process
        under any backend (joblib's Dask backend would send them to the
        cluster).
    total : int
        Number of items the bar counts (clips, not tasks, when a task covers
        several clips).
    verbose : int, default=0
        0 shows nothing; a positive value shows a tqdm bar on stderr when
        it is a terminal (see `progress_bar`).
    desc, unit : str
        Bar label and unit.
    weights : sequence of int or None
        Items each task covers (its bar increment); None counts 1 per task.
    prefer : {"threads", "processes"}, default="threads"
        joblib's soft hint for the backend: a backend chosen with
        `joblib.parallel_config` (e.g. Dask) still wins. Threads suit skser's
        work: decoding, resampling, FFTs, sorts and array arithmetic release
        the GIL, and threads share inputs and results that worker processes
        would copy through pipes.

    Returns
    -------
    results : list
        One result per task, in task order.
    """
    if n_jobs == 1:
        run = (func(*args, **kwargs) for func, args, kwargs in tasks)
    else:
        run = Parallel(
            n_jobs=n_jobs, prefer=prefer, return_as="generator" if verbose else "list",
        )(tasks)
    if not verbose:
        return list(run)
    results = []
    with progress_bar(total=total, desc=desc, unit=unit, leave=False) as bar:
        for i, result in enumerate(run):
            results.append(result)
            bar.update(1 if weights is None else weights[i])
    return results


def progress_bar(*, enabled=True, **options):
    """A tqdm bar on stderr, off when stderr is not a terminal.

    Parameters
    ----------
    enabled : bool, default=True
        False never draws; True draws when stderr is a terminal (tqdm's own
        ``disable=None``), or as a widget in a Jupyter notebook.
    **options
        Passed to `tqdm.auto.tqdm` (``total``, ``desc``, ``unit``, ``leave``, ...).

    Returns
    -------
    bar : tqdm.auto.tqdm
        Usable as a context manager; a disabled bar accepts every call and
        draws nothing.
    """
    from tqdm.auto import tqdm

    return tqdm(disable=None if enabled else True, dynamic_ncols=True, **options)
