"""Public pages of the hotline (citizen submission and lookup)."""

app_name = "hotline"

urlpatterns: list = []
