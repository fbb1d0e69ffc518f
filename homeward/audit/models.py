"""The append-only audit log: who read or changed what, when and from where."""

from django.db import models


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        ARCHIVE = "archive", "Archived"
        EXPORT = "export", "Exported"
        SEARCH = "search", "Searched"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        TOKEN = "token", "Token issued"

    # The key (homeward.audit.keys) this entry's hash was made with; "" for entries made before
    # the chain was keyed, which may only come before every keyed one.
    key_id = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(db_index=True)
    # No index of its own (nor the child's below): the (user, at) and (child, at) indexes in
    # Meta serve every look-up by either, and each index more is written on every audited read
    # (a page of fifty children writes fifty entries) (issue 11). Nor a foreign-key constraint
    # in the database (ADR 0023): checking it share-locked the person's and each child's row on
    # every audited read; the entry names who and whom from rows just read, accounts and
    # children are never deleted, and Django still refuses to delete one that entries name.
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )
    # Kept as text as well, so the entry reads the same if the account is later renamed.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )
    remote_addr = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=20, blank=True, help_text="api, web, cli, system")
    detail = models.JSONField(default=dict, blank=True, help_text="Before and after, query, reason.")
    # How the entry is chained. INLINE (ADR 0012, entries made before ADR 0013): `previous_hash`
    # is the entry before it and `entry_hash` covers it, so writers took a lock across their whole
    # request. LINKED (ADR 0013): `entry_hash` is the entry's own keyed hash, made without a lock,
    # and its place in the chain is an AuditLink appended afterwards by one short step.
    class Format(models.IntegerChoices):
        INLINE = 1
        LINKED = 2

    format = models.PositiveSmallIntegerField(choices=Format.choices, default=Format.LINKED)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["child", "at"]), models.Index(fields=["user", "at"])]
        verbose_name_plural = "audit entries"


class AuditLink(models.Model):
    """The chain: the entries in the order they were linked, each link's keyed hash covering the
    entry's own hash and the link before. Appended by `audit_chain_extend`, never changed."""

    seq = models.BigAutoField(primary_key=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="link")
    entry_hash = models.CharField(max_length=64, help_text="The entry's own hash when it was linked.")
    previous_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=20)
    link_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]


class AuditPending(models.Model):
    """An entry written but not yet linked into the chain: the chain step's to-do list, emptied
    as it links them (the only audit table the application may delete from)."""

    # Written in the same statement as its entry, from the entry's returned id: a constraint
    # would only share-lock the row just written (ADR 0023).
    entry = models.OneToOneField(AuditEntry, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                 db_constraint=False)


class AuditNamed(models.Model):
    """A child named by an audited export, with the ids of their records it carried (ADR 0017):
    an export of a national year names a couple of hundred thousand children, each in a row of
    its own, all written by one INSERT ... SELECT of the export's own rows. A row has no hash of
    its own: its entry holds the number and the SHA-256 of all its rows (`detail.named`), under
    the entry's keyed hash, so `audit verify` finds a row changed, removed or added.

    No foreign-key constraints: checking them (and share-locking each child's row) cost more
    than writing the rows; the entry is a row of the append-only log and children are never
    deleted (they are archived)."""

    pk = models.CompositePrimaryKey("child_id", "entry_id")
    child = models.ForeignKey("children.Child", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="+")
    entry = models.ForeignKey(AuditEntry, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="named")
    records = models.TextField(help_text="The ids of the child's records the entry names, ascending, comma-separated.")
