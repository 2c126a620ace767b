"""Encrypt the appointment requests stored before 0004, in batches, and index them for search.

Works on raw rows (the model's fields would refuse to read plain text) with the
keys of ``lead_forms.encryption.crypto``: run it with the production keys in the
environment. Reversible only with those keys: going back decrypts every row.
With no stored requests (a fresh host) there is nothing to encrypt and no key is read.
"""

import json

from django.db import migrations

BATCH_SIZE = 1000
COLUMNS = ("form_data", "name", "email", "phone", "contact_method")
TABLE = "lead_forms_appointmentsubmission"
TOKENS = "lead_forms_searchtoken"


def _batches(cursor, qn, last_pk=0):
    columns = ", ".join(qn(column) for column in COLUMNS)
    while True:
        cursor.execute(
            f"SELECT id, {columns} FROM {qn(TABLE)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
            [last_pk, BATCH_SIZE],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        last_pk = rows[-1][0]
        yield rows


def _has_rows(schema_editor):
    qn = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {qn(TABLE)} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is not None


def encrypt_stored_requests(apps, schema_editor):
    if not _has_rows(schema_editor):
        return
    from lead_forms.encryption import blind_index, crypto

    keyring, search_keys = crypto.get_keyring(), crypto.get_search_keys()
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(column)} = %s" for column in (*COLUMNS, "search_key_id"))
    with connection.cursor() as cursor:
        for rows in _batches(cursor, qn):
            updates, tokens = [], []
            for pk, *values in rows:
                plain = [
                    value if value is None or not value.startswith(crypto.UNBOUND_VERSION) else crypto.decrypt_text(value)
                    for value in values
                ]
                form_data, name, email, phone, _method = plain
                if isinstance(form_data, dict):  # a driver that decodes JSON itself
                    form_data = json.dumps(form_data)
                answers = json.loads(form_data) if form_data else {}
                sealed = [None if value is None else keyring.encrypt(value.encode()) for value in
                          (form_data, name, email, phone, plain[4])]
                updates.append([*sealed, search_keys.newest_id, pk])
                tokens += [(pk, token) for token in blind_index.tokens_for(name, email, phone, answers)]
            cursor.executemany(f"UPDATE {qn(TABLE)} SET {assignments} WHERE id = %s", updates)  # noqa: S608
            ids = [row[0] for row in rows]
            cursor.execute(
                f"DELETE FROM {qn(TOKENS)} WHERE submission_id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
                ids,
            )
            if tokens:
                cursor.executemany(
                    f"INSERT INTO {qn(TOKENS)} (submission_id, token) VALUES (%s, %s)", tokens  # noqa: S608
                )


def decrypt_stored_requests(apps, schema_editor):
    if not _has_rows(schema_editor):
        return
    from lead_forms.encryption import crypto

    connection = schema_editor.connection
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(column)} = %s" for column in (*COLUMNS, "search_key_id"))
    with connection.cursor() as cursor:
        for rows in _batches(cursor, qn):
            updates = [
                [
                    *(
                        crypto.decrypt_text(value) if value and value.startswith(crypto.UNBOUND_VERSION) else value
                        for value in values
                    ),
                    "",
                    pk,
                ]
                for pk, *values in rows
            ]
            cursor.executemany(f"UPDATE {qn(TABLE)} SET {assignments} WHERE id = %s", updates)  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(TOKENS)}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("lead_forms", "0004_encrypt_patient_data"),
    ]

    operations = [
        migrations.RunPython(encrypt_stored_requests, decrypt_stored_requests, elidable=False),
    ]
