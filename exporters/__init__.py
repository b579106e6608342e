"""File exporters: plain records in, bytes out; nothing here touches the database.

The areas' queries build the records; ``app/files.py`` ``EXPORTERS`` names every export for the
CLI and the screens, joining each query to its writer here.
"""
