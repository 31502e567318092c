"""Zoho CRM v8 client: OAuth for every data centre, records with paging past 2,000, upserts, deletions, metadata."""
