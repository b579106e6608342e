"""Work that outlives a request: huey tasks (queue.py), and Job rows that screens poll for progress (models.py).

Progress is kept in huey's key-value store rather than in the database, because on SQLite the
running import holds the database's write lock until it commits.
"""


def __getattr__(name):
    # servers set up before app.worker existed start `huey_consumer app.jobs.huey`: give them the
    # worker's queue, with the application built and every task known (app.worker imports the areas,
    # so importing it here at the top would make every import of app.jobs.* build an application)
    if name == 'huey':
        from app.worker import huey

        return huey
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
