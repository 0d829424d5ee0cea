"""The feedback store: the one place that reads and writes `feedback/`.

Layout (an item's state is the folder it lives in; moving is a rename):

    feedback/inbox/<id>.md                awaiting moderation
    feedback/published/<article>/<id>.md  on the site
    feedback/spam/<id>.md, rejected/<id>.md, unmatched/<id>.md
    feedback/private/                     e-mail addresses, IPs, the secret (git-ignored)

Every write goes through `atomic.atomic_write` (temp file, fsync, rename or
no-replace link, folder fsync), so an acknowledged item survives a crash and
no reader ever sees half a file; new items are linked into place, which fails
instead of overwriting: two writers can never clobber each other.

Modules: `core` (the Store), `files` (listing and parsing item files),
`item_cache` (parsed items in the SQLite cache), `batch` (many new items at
once, for importers), `temps` (leftovers of crashed writers).
"""

from backchannel.store.atomic import temp_prefix
from backchannel.store.batch import Batch, batch_of
from backchannel.store.core import PRIVATE, TMP, Store, derived_id, new_id, open_store
from backchannel.store.files import SUFFIX, LoadResult

__all__ = [
    "PRIVATE",
    "SUFFIX",
    "TMP",
    "Batch",
    "LoadResult",
    "Store",
    "batch_of",
    "derived_id",
    "new_id",
    "open_store",
    "temp_prefix",
]
