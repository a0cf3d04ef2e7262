"""Business functions: plain Python taking a database session and the
current technician. Pages and jobs call these; nothing here imports Reflex."""
