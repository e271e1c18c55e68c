from django.db import migrations, models


class Migration(migrations.Migration):
    """[G] follow-ups: a co-handler can be released (解除协办); indexes for the hotline reports
    (a covering index of tickets by registration time for index-only scans, and the call-back,
    return and extension figures by time)."""

    dependencies = [("hotline", "0004_joint_merging")]

    operations = [
        migrations.AlterField(
            model_name="ticketassignment",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待签收"),
                    ("signed", "办理中"),
                    ("return_requested", "退单审核中"),
                    ("returned", "已退回"),
                    ("replied", "已答复"),
                    ("withdrawn", "已撤回"),
                    ("released", "已解除协办"),
                ],
                default="pending",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(fields=["status", "done_at"], name="callback_status_done"),
        ),
        migrations.AddIndex(
            model_name="ticketextension",
            index=models.Index(fields=["requested_at"], name="ticket_extension_requested"),
        ),
        migrations.AddIndex(
            model_name="ticketreturn",
            index=models.Index(fields=["requested_at"], name="ticket_return_requested"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["created_at"],
                include=(
                    "id",
                    "status",
                    "ticket_type",
                    "source",
                    "subject",
                    "department",
                    "street",
                    "region",
                    "dispatched_at",
                    "signed_at",
                    "sign_due",
                    "replied_at",
                    "handle_due",
                    "address",
                ),
                name="ticket_report_cover",
            ),
        ),
    ]
