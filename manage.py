#!/usr/bin/env python
import os
import sys

OWNER_COMMANDS = {"migrate", "db_roles"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")
    # Schema changes and grants run as the owner of the tables; everything else as the
    # application role, which owns nothing (clinic/database.py, intake/db_roles.py).
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ.setdefault("CLINIC_DB_ROLE", "owner")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
