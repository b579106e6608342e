"""Work that outlives a request: huey tasks (queue.py), and Job rows that screens poll for progress (models.py).

Progress is kept in huey's key-value store rather than in the database, because on SQLite the
running import holds the database's write lock until it commits.

The consumer starts on app.worker, which builds the application; nothing here imports an area.
"""
