"""ostkit: catalog TV-drama OSTs, match them to Spotify, keep playlists in sync."""

__version__ = "0.1.0"
