"""Public and applicant pages of the hall app (portal URL tree)."""

app_name = "hall"

urlpatterns: list = []
