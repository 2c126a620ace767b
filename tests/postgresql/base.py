"""Django's PostgreSQL backend for the test suite, emptying tables with DELETE, not TRUNCATE.

Every transactional test (browser, live server, concurrency) ends with Django's flush of
all tables. TRUNCATE gives each table and index new files: about 0.5 s a flush here,
against milliseconds for DELETE on the few rows a test leaves. Django creates foreign keys
DEFERRABLE INITIALLY DEFERRED, so the deletes may run in any order within the flush's
transaction. cms_site.settings.test names this backend when DATABASE_URL is PostgreSQL.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            # What only TRUNCATE does in one statement (RESTART IDENTITY, CASCADE): Django's own.
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            *self._foreign_key_checks_off(style),
            f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};",
            *(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables
            ),
        ]

    def _foreign_key_checks_off(self, style):
        """For a superuser (the test database's usual owner), no foreign-key checks in the flush.

        Each deleted row would be checked against the tables that refer to it at commit,
        thousands of pointless checks when every table is emptied; ``replica`` skips the
        triggers that run them, for the flush's transaction only.
        """
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            if cursor.fetchone()[0] != "on":
                return []
        return [f"{style.SQL_KEYWORD('SET LOCAL')} session_replication_role = replica;"]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
