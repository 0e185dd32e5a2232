"""Text rules, each once: keys and normalisation (``keys``), credits (``credits``), titles,
version tags and OST album names (``titles``), scripts (``scripts``), romanisation
(``romanise``) and Spotify ids and links (``spotify_ids``). Pure: no I/O."""
