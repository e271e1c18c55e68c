"""12345 citizen hotline: tickets, triage, dispatch, handling limits, callbacks, knowledge base,
Open311 GeoReport v2."""
