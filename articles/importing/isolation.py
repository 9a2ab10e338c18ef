"""Keeping one hostile file from stopping a run: a time budget per file, and worker processes
whose crash or hang fails the file they were on, never the run.

`time_budget` raises `TookTooLong` in the main thread once a file has had its seconds (an
interval timer's SIGALRM, which interrupts Python code and regular expressions alike).
`prepare_in_workers` runs a function over items in worker processes and yields the results in
order; a worker that dies (a crash inside C code) or outlives the budget by a grace period is
replaced, and the item it was on becomes `on_failure(item, reason)`.
"""

import collections
import contextlib
import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import wait

from .limits import WORKER_KILL_GRACE_SECONDS


class TookTooLong(BaseException):
    """A file's time budget ran out. A BaseException, so that no `except Exception` on the way
    mistakes it for a value error and carries on with the file."""


@contextlib.contextmanager
def time_budget(seconds):
    """Raise TookTooLong inside the block once `seconds` have passed (main thread only; elsewhere,
    or with no seconds, the block runs unbounded)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def out_of_time(signum, frame):
        raise TookTooLong(f"took longer than {seconds:g} s; stopped")

    previous = signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _worker_main(connection, function):
    """A worker's loop: receive a list of items, send back one result per item as it is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            items = connection.recv()
        except EOFError:
            return
        if items is None:
            return
        for item in items:
            connection.send(function(item))


class _Worker:
    def __init__(self, context, function):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child_end, function), daemon=True)
        self.process.start()
        child_end.close()
        self.batch = collections.deque()  # (index, item) sent and not answered yet, in order
        self.since = 0.0  # when the first of them was started, as far as the parent knows

    def give(self, batch):
        self.batch.extend(batch)
        self.since = time.monotonic()
        self.connection.send([item for _, item in batch])

    def stop(self):
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def discard(self):
        """Stop the process at once, whatever it is doing."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _crash_reason(process):
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process reading it crashed ({name}); not imported"
    return f"the worker process reading it stopped (exit status {code}); not imported"


def prepare_in_workers(items, function, on_failure, *, jobs, batch_size, window, budget):
    """Yield function(item) for each of `items`, in order, computed in `jobs` forked processes.

    `function` must bound its own time (time_budget); a worker still on one item `budget` plus
    WORKER_KILL_GRACE_SECONDS after it started is killed. At most `window` items are sent ahead
    of the one to be yielded next.
    """
    context = multiprocessing.get_context("fork")
    items = list(items)
    pending = collections.deque(enumerate(items))
    results, next_index = {}, 0
    workers = [_Worker(context, function) for _ in range(jobs)]
    limit = (budget + WORKER_KILL_GRACE_SECONDS) if budget else None
    try:
        while next_index < len(items):
            while next_index in results:
                yield results.pop(next_index)
                next_index += 1
            if next_index >= len(items):
                break
            for worker in workers:
                if not worker.batch and pending and pending[0][0] < next_index + window:
                    worker.give([pending.popleft() for _ in range(min(batch_size, len(pending)))])
            busy = [worker for worker in workers if worker.batch]
            if not busy:
                continue
            waiting_on = [w.connection for w in busy] + [w.process.sentinel for w in busy]
            wait(waiting_on, timeout=1.0 if limit else None)
            for position, worker in enumerate(workers):
                if not worker.batch:
                    continue
                failed = None
                alive = worker.process.is_alive()  # asked first: a worker may answer, then die
                try:
                    while worker.batch and worker.connection.poll():
                        result = worker.connection.recv()
                        index, _ = worker.batch.popleft()
                        results[index] = result
                        worker.since = time.monotonic()
                except (EOFError, OSError):  # the worker is gone mid-batch
                    worker.process.join(timeout=5)
                    failed = _crash_reason(worker.process)
                if worker.batch and failed is None:
                    if not alive:
                        worker.process.join()
                        failed = _crash_reason(worker.process)
                    elif limit and time.monotonic() - worker.since > limit:
                        failed = f"took longer than {budget:g} s; the worker process reading it was stopped"
                if failed is None:
                    continue
                worker.discard()
                index, item = worker.batch.popleft()
                results[index] = on_failure(item, failed)
                # The rest of its batch goes back to the front of the queue, for another worker.
                pending.extendleft(reversed(worker.batch))
                workers[position] = _Worker(context, function)
    finally:
        for worker in workers:
            worker.discard() if worker.batch else worker.stop()
