"""Clients for the Xero and Zoho CRM APIs (httpx). Callers get typed records, never raw dicts."""
