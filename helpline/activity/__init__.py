"""The activity log's reading API (admins); recording lives in `helpline/audit/`, below
every domain that is recorded."""
