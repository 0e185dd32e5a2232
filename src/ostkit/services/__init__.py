"""Use cases: each takes the store (and the Spotify client where needed) and does one job."""
