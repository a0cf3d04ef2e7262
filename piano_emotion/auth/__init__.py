"""Identity: local accounts, Clerk tokens, sessions and the owner."""

# Registers the listeners that drop a cached account when its row is
# written (``current._drop_changed_accounts``), wherever accounts are written.
from piano_emotion.auth import current as _current  # noqa: F401
