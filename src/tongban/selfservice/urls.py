"""Public and applicant pages of the selfservice app (portal URL tree)."""

app_name = "selfservice"

urlpatterns: list = []
