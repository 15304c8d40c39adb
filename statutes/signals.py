"""What the library tells the layers above it, which it may not import: an update was imported."""

from django.dispatch import Signal

# Sent by statutes.importer when a run ends, with record=the LibraryImport (changed or not);
# articles.alerts flags the articles that cite what it changed.
library_updated = Signal()
