"""Public and applicant pages of the grid app (portal URL tree)."""

app_name = "grid"

urlpatterns: list = []
