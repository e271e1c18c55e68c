"""Staff pages of the grid app under /console/grid/."""

app_name = "grid-console"

urlpatterns: list = []
