"""Open311 GeoReport v2 (services, requests, tokens) over the hotline's tickets."""
