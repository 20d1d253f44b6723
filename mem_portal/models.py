"""Tables of the mem database: the shared ones plus this portal's own."""

import shared.models  # noqa: F401  (registers the shared tables on Base.metadata)
