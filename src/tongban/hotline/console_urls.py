"""Staff pages of the hotline under /console/hotline/."""

app_name = "hotline-console"

urlpatterns: list = []
