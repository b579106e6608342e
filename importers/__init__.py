"""File importers: bytes in, validated plain records out, problems with file line numbers.

Nothing here touches the database: each area's ``importing`` module checks the records and saves
them, and ``app/files.py`` ``IMPORTERS`` names every kind of file for the CLI and the screens.
"""
