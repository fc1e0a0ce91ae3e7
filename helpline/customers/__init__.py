"""The customer directory as operators use it: contact search, merge, CSV import and export,
and the contacts API. It reads conversations, so it sits above them; the contact itself
(`helpline.contacts`) stays low, where ingest upserts it."""
