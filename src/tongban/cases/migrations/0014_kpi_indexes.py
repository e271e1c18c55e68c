# No operations: the case KPI windows (supervision.kpis.SOURCES "cases", "refusals",
# "case_materials") already have their indexes — accepted_on and promised_due (db_index) and
# case_decided_at (0006), combined in one BitmapOr; a month of refusals reads one partition of
# the case events through case_event_action_time. Measured at 200,000 cases (docs/performance.md,
# "Data scale"); kept as the placeholder the numbering expects.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_form_data_encryption")]

    operations = []
