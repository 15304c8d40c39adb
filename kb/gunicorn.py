"""gunicorn settings for `make serve` and bench/load.py: `gunicorn -c kb/gunicorn.py kb.wsgi:application`.

The application is loaded and warmed (kb.warmup) in the master process before the port opens,
then every worker is forked from it: no reader waits for a worker's start-up.
"""

import logging
import os

# One BLAS thread per process (the model of meaning's matrix products): workers are forked from the
# master, and a BLAS thread pool started before a fork is not safe in the children. A question's
# vector takes milliseconds on one thread; the search worker (not forked) keeps every core.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

preload_app = True


def on_starting(server):
    # With preload_app the application is loaded by now, and the port is not open yet.
    from kb.warmup import warm_up

    seconds = warm_up()
    logging.getLogger("gunicorn.error").info("Warmed up in %.2f s", seconds)


def post_worker_init(worker):
    # Each worker opens its own index files before its first request.
    from kb.search.selectors import search_backend

    search_backend().searcher()
