"""Footage retention: deciding which segments may go, planning that over the catalog, deleting them."""
