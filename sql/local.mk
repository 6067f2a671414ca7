# Lease-store schema migrations and chorus-admin.
