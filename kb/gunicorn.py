"""gunicorn settings for `make serve` and bench/load.py: `gunicorn -c kb/gunicorn.py kb.wsgi:application`.

The application is loaded and warmed (kb.warmup) in the master process before the port opens,
then every worker is forked from it: no reader waits for a worker's start-up.
"""

import logging

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
