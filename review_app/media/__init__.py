"""Footage in the browser: HLS playlists built from the catalog, media served with byte ranges."""
