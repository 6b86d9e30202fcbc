"""The catalog database: sites, queue events, service sessions (and later segments, findings).

Everything here can be rebuilt from the object store (manifests, archived events) and the
sites file; the store is the record, the catalog is the index.
"""
