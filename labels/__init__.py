"""PDF documents: shipping labels, pick lists, packing slips and barcode sheets.

Each takes plain records and returns PDF bytes (see docs/architecture.md).  The first
documents arrive with the warehouse-floor work (pick lists and labels).
"""
