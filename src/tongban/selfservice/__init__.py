"""Self-service (24小时自助): the kiosk-mode portal of the self-service terminals and the pickup lockers (自助取件)."""
