"""Identity: local accounts, Clerk tokens, sessions and the owner."""
