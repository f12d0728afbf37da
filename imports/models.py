"""What the import pages keep between their steps: the uploaded file, and each organisation's
remembered mapping of its files' columns per kind."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.models import Organization


class ImportMapping(models.Model):
    """The columns an organisation's files last had for one kind: header (normalised) per
    column key. Offered first the next time a file of that kind is mapped."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_mappings"
    )
    kind = models.CharField(_("kind"), max_length=20)
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="import_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.kind}"


class ImportUpload(models.Model):
    """A file uploaded for import, kept in the database (any worker serves the next step) until
    it is imported; read only through its organisation. `confirmed_at` is claimed once: a second
    submission of the confirmation imports nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    data = models.BinaryField(_("file"))
    # Column key → index of the file's column.
    mapping = models.JSONField(_("mapping"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("uploaded import file")
        verbose_name_plural = _("uploaded import files")
        indexes = [models.Index(fields=["organization", "created_at"], name="import_upload_org_at")]

    def __str__(self) -> str:
        return self.filename
