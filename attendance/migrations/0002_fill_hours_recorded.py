from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations
from django.db.models import Sum


def fill_hours_recorded(apps, schema_editor):
    """Enrollments of sessions that already have an attendance record get their hours recorded
    (historical models only: later migrations may change the current ones). The funding summaries
    of those sessions are rebuilt by `manage.py refresh_summaries`."""
    Attendance = apps.get_model("attendance", "Attendance")
    Enrollment = apps.get_model("training", "Enrollment")
    recorded = set(
        Attendance.objects.order_by().values_list("slot__session_id", flat=True).distinct()
    )
    if not recorded:
        return
    minutes = dict(
        Attendance.objects.order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values_list("enrollment_id", "total")
    )
    for enrollment in Enrollment.objects.filter(session_id__in=recorded).only("pk"):
        hours = (Decimal(minutes.get(enrollment.pk, 0)) / 60).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(hours_recorded=hours)


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0001_initial"),
        ("training", "0004_enrollment_hours_recorded"),
    ]

    operations = [migrations.RunPython(fill_hours_recorded, migrations.RunPython.noop)]
